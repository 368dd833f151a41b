#include "rlx/sink/manifest.h"

#include <algorithm>
#include <map>
#include <utility>

#include "rlx/core/json_writer.h"
#include "rlx/core/version.h"
#include "rlx/sink/durable_file.h"

namespace rlx::sink {
namespace {

void time_or_null(JsonWriter& w, const char* key, int64_t t) {
  w.key(key);
  if (t == kNull) {
    w.null();
  } else {
    w.int64(t);
  }
}

struct Totals {
  int64_t files = 0;
  int64_t rows = 0;
  uint64_t bytes = 0;
  int64_t first_event_seq = 0;
  int64_t last_event_seq = 0;
  int64_t min_origin_time = kNull;
  int64_t max_origin_time = kNull;
};

}  // namespace

std::string manifest_json(std::vector<FileInfo> files) {
  std::sort(files.begin(), files.end(),
            [](const FileInfo& a, const FileInfo& b) { return a.path < b.path; });
  std::map<std::pair<std::string, std::string>, Totals> totals;
  for (const FileInfo& f : files) {
    Totals& t = totals[{f.exchange, f.symbol}];
    if (t.files == 0 || f.first_event_seq < t.first_event_seq)
      t.first_event_seq = f.first_event_seq;
    if (t.files == 0 || f.last_event_seq > t.last_event_seq) t.last_event_seq = f.last_event_seq;
    ++t.files;
    t.rows += f.rows;
    t.bytes += f.bytes;
    if (f.min_origin_time != kNull &&
        (t.min_origin_time == kNull || f.min_origin_time < t.min_origin_time)) {
      t.min_origin_time = f.min_origin_time;
    }
    if (f.max_origin_time != kNull &&
        (t.max_origin_time == kNull || f.max_origin_time > t.max_origin_time)) {
      t.max_origin_time = f.max_origin_time;
    }
  }

  JsonWriter w(/*pretty=*/true);
  w.begin_object();
  w.key("schema_version").int64(kSchemaVersion);
  w.key("rlx_version").string(kVersion);
  w.key("files").begin_array();
  for (const FileInfo& f : files) {
    w.begin_object();
    w.key("path").string(f.path);
    w.key("exchange").string(f.exchange);
    w.key("symbol").string(f.symbol);
    w.key("date").string(f.date);
    w.key("rows").int64(f.rows);
    w.key("first_event_seq").int64(f.first_event_seq);
    w.key("last_event_seq").int64(f.last_event_seq);
    time_or_null(w, "min_origin_time", f.min_origin_time);
    time_or_null(w, "max_origin_time", f.max_origin_time);
    w.key("bytes").uint64(f.bytes);
    w.key("xxh3").string(hex64(f.xxh3));
    w.end_object();
  }
  w.end_array();
  w.key("totals").begin_array();
  for (const auto& [key, t] : totals) {
    w.begin_object();
    w.key("exchange").string(key.first);
    w.key("symbol").string(key.second);
    w.key("files").int64(t.files);
    w.key("rows").int64(t.rows);
    w.key("bytes").uint64(t.bytes);
    w.key("first_event_seq").int64(t.first_event_seq);
    w.key("last_event_seq").int64(t.last_event_seq);
    time_or_null(w, "min_origin_time", t.min_origin_time);
    time_or_null(w, "max_origin_time", t.max_origin_time);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  std::string out = w.take();
  out.push_back('\n');
  return out;
}

void write_manifest(const std::filesystem::path& root, std::vector<FileInfo> files) {
  write_file_atomic(root / kManifestName, manifest_json(std::move(files)));
}

void write_report(const std::filesystem::path& root, std::string_view json) {
  std::string content(json);
  if (content.empty() || content.back() != '\n') content.push_back('\n');
  write_file_atomic(root / kReportName, content);
}

}  // namespace rlx::sink
