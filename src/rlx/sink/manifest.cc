#include "rlx/sink/manifest.h"

#include <simdjson.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>

#include "rlx/core/error.h"
#include "rlx/core/json_writer.h"
#include "rlx/core/version.h"
#include "rlx/durability/durable_file.h"
#include "rlx/sink/thin_part.h"

namespace rlx::sink {

using durability::digest_file;
using durability::hex64;
using durability::write_file_atomic;
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
    if (f.thin_bytes > 0) {
      w.key("thin").begin_object();
      w.key("path").string(thin_path(f.path));
      w.key("bytes").uint64(f.thin_bytes);
      w.key("xxh3").string(hex64(f.thin_xxh3));
      w.end_object();
    }
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

void update_manifest(const std::filesystem::path& root,
                     const std::pair<std::string, std::string>* owner,
                     std::vector<FileInfo> files) {
  std::filesystem::create_directories(root);
  const durability::FileLock lock(root / kManifestLockName);
  if (owner != nullptr) {
    for (FileInfo& f : read_manifest(root)) {
      if (f.exchange != owner->first || f.symbol != owner->second) files.push_back(std::move(f));
    }
  }
  write_manifest(root, std::move(files));
}

std::vector<FileInfo> read_manifest(const std::filesystem::path& root) {
  std::vector<FileInfo> files;
  const std::filesystem::path path = root / kManifestName;
  if (!std::filesystem::exists(path)) return files;
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  const simdjson::padded_string json(text.str());
  simdjson::ondemand::parser parser;
  auto str = [](simdjson::ondemand::value v) {
    return std::string(std::string_view(v.get_string()));
  };
  auto time = [](simdjson::ondemand::value v) -> int64_t {
    return v.is_null() ? kNull : int64_t(v.get_int64());
  };
  try {
    simdjson::ondemand::document doc = parser.iterate(json);
    for (simdjson::ondemand::object f : doc["files"].get_array()) {
      FileInfo info;
      info.path = str(f["path"]);
      info.exchange = str(f["exchange"]);
      info.symbol = str(f["symbol"]);
      info.date = str(f["date"]);
      info.rows = f["rows"].get_int64();
      info.first_event_seq = f["first_event_seq"].get_int64();
      info.last_event_seq = f["last_event_seq"].get_int64();
      info.min_origin_time = time(f["min_origin_time"]);
      info.max_origin_time = time(f["max_origin_time"]);
      info.bytes = f["bytes"].get_uint64();
      info.xxh3 = std::stoull(str(f["xxh3"]), nullptr, 16);
      simdjson::ondemand::object thin;
      if (f["thin"].get_object().get(thin) == simdjson::SUCCESS) {
        info.thin_bytes = thin["bytes"].get_uint64();
        info.thin_xxh3 = std::stoull(str(thin["xxh3"]), nullptr, 16);
      }
      files.push_back(std::move(info));
    }
  } catch (const std::exception& e) {
    throw Error(StatusCode::kBadInput, path.string() + ": unreadable manifest: " + e.what());
  }
  return files;
}

std::vector<std::string> verify_manifest(const std::filesystem::path& root,
                                         const std::vector<FileInfo>& files, Verify what) {
  std::vector<std::string> problems;
  // hash false: present at its size only.
  const auto check = [&](const std::string& rel, uint64_t bytes, uint64_t xxh3, bool hash) {
    const std::filesystem::path path = root / rel;
    std::error_code ec;
    const uintmax_t size = std::filesystem::file_size(path, ec);
    if (ec) {
      problems.push_back(path.string() + ": listed in manifest.json but missing");
      return;
    }
    if (!hash) {
      if (size != bytes) problems.push_back(path.string() + ": size differs from manifest.json");
      return;
    }
    const durability::FileDigest d = digest_file(path);
    if (d.bytes != bytes || d.xxh3 != xxh3) {
      problems.push_back(path.string() + ": size or checksum differs from manifest.json");
    }
  };
  for (const FileInfo& f : files) {
    check(f.path, f.bytes, f.xxh3, what == Verify::kAll || what == Verify::kParts);
    if ((what == Verify::kAll || what == Verify::kThinCopies) && f.thin_bytes > 0) {
      check(thin_path(f.path), f.thin_bytes, f.thin_xxh3, true);
    }
  }
  return problems;
}

void write_report(const std::filesystem::path& root, std::string_view json) {
  std::string content(json);
  if (content.empty() || content.back() != '\n') content.push_back('\n');
  write_file_atomic(root / kReportName, content);
}

}  // namespace rlx::sink
