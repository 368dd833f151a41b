#include "rlx/pipeline/run_state.h"

#include <simdjson.h>
#include <sys/stat.h>
#include <xxhash.h>

#include <algorithm>
#include <fstream>

#include "rlx/core/error.h"
#include "rlx/core/json_writer.h"
#include "rlx/durability/durable_file.h"
#include "rlx/pipeline/option_names.h"

namespace rlx::pipeline {
namespace fs = std::filesystem;
namespace {

constexpr const char* kDoneFile = "done";
constexpr uint64_t kEdgeBytes = 1 << 20;

// XXH3 of the first and last MiB of a file (the whole file when it is smaller than 2 MiB).
uint64_t edges_xxh3(const fs::path& path, uint64_t bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw bad_input(Location{path.string(), 0, ""}, "cannot open input");
  std::string buf;
  auto read_at = [&](uint64_t offset, uint64_t n) {
    std::string chunk(n, '\0');
    in.seekg(static_cast<std::streamoff>(offset));
    in.read(chunk.data(), static_cast<std::streamsize>(n));
    buf += chunk;
  };
  if (bytes <= 2 * kEdgeBytes) {
    read_at(0, bytes);
  } else {
    read_at(0, kEdgeBytes);
    read_at(bytes - kEdgeBytes, kEdgeBytes);
  }
  return XXH3_64bits(buf.data(), buf.size());
}

}  // namespace

InputIdentity identify_input(const fs::path& path) {
  InputIdentity id;
  id.path = path.string();
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw bad_input(Location{id.path, 0, ""}, "no such file or folder");
  if (S_ISDIR(st.st_mode)) {
    // A Lake root: its regular files, sorted, each with size and mtime, hashed together.
    id.is_directory = true;
    std::vector<std::string> lines;
    for (const auto& e : fs::recursive_directory_iterator(path)) {
      if (!e.is_regular_file()) continue;
      struct stat fst {};
      if (::stat(e.path().c_str(), &fst) != 0) continue;
      lines.push_back(fs::relative(e.path(), path).string() + " " + std::to_string(fst.st_size) +
                      " " + std::to_string(fst.st_mtim.tv_sec) + "." +
                      std::to_string(fst.st_mtim.tv_nsec));
      id.bytes += static_cast<uint64_t>(fst.st_size);
    }
    std::sort(lines.begin(), lines.end());
    std::string all;
    for (const auto& l : lines) all += l + "\n";
    id.head_tail_xxh3 = XXH3_64bits(all.data(), all.size());
    return id;
  }
  id.bytes = static_cast<uint64_t>(st.st_size);
  id.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  id.head_tail_xxh3 = edges_xxh3(path, id.bytes);
  return id;
}

fs::path state_dir_of(const ReconstructOptions& options) {
  return options.state_dir.empty() ? options.out_dir / kStateDir : options.state_dir;
}

RunStatus run_status(const fs::path& state) {
  if (!fs::exists(state / kRunFile)) return RunStatus::kNone;
  return fs::exists(state / kDoneFile) ? RunStatus::kDone : RunStatus::kUnfinished;
}

void write_run_file(const ReconstructOptions& o) {
  JsonWriter w(/*pretty=*/true);
  w.begin_object();
  w.key("format_version").uint64(2);
  w.key("mode").string(name_of(kModeNames, o.mode));
  w.key("exchange").string(o.exchange);
  w.key("durable").boolean(o.durable);
  w.key("source").string(name_of(kSourceNames, o.source));
  w.key("inputs").begin_array();
  for (const fs::path& in : o.inputs) {
    const InputIdentity id = identify_input(in);
    w.begin_object();
    w.key("path").string(fs::absolute(in).string());
    w.key("bytes").uint64(id.bytes);
    w.key("mtime_ns").int64(id.mtime_ns);
    w.key("xxh3").string(durability::hex64(id.head_tail_xxh3));
    w.end_object();
  }
  w.end_array();
  w.key("symbols").begin_array();
  for (const std::string& s : o.symbols) w.string(s);
  w.end_array();
  w.key("date_from").string(o.date_from);
  w.key("date_to").string(o.date_to);
  w.key("batch_size").uint64(o.batch_size);
  w.key("top_n").int64(o.top_n);
  w.key("rows_per_file").uint64(o.rows_per_file);
  w.key("checkpoint_batches").uint64(o.checkpoint_batches);
  w.key("checkpoint_seconds").int64(o.checkpoint_seconds);
  w.key("on_bad_row").string(name_of(kBadRowNames, o.on_bad_row));
  w.key("sequence").string(name_of(kSequenceNames, o.book.sequence));
  w.key("crossed").string(name_of(kCrossedNames, o.book.crossed));
  w.key("consume_trades").string(name_of(kConsumeNames, o.book.consume_trades));
  w.key("snapshot").string(name_of(kSnapshotNames, o.book.snapshot));
  w.key("max_buffered_messages").uint64(o.book.max_buffered_messages);
  w.key("ticker_history").uint64(o.book.ticker_history);
  w.key("ticker_pending").uint64(o.book.ticker_pending);
  w.key("validate").boolean(o.validate);
  w.key("thin_copies").boolean(o.thin_copies);
  w.end_object();
  const fs::path state = state_dir_of(o);
  durability::create_directories_durable(state);
  durability::write_file_atomic(state / kRunFile, w.take() + "\n");
}

ReconstructOptions read_run_file(const fs::path& state_dir, const fs::path& out_dir) {
  const fs::path path = state_dir / kRunFile;
  if (!fs::exists(path)) {
    throw Error(StatusCode::kInvalidArgument,
                out_dir.string() + " holds no rlx run to resume (no " + path.string() + ")");
  }
  ReconstructOptions o;
  o.out_dir = out_dir;
  o.state_dir = state_dir;
  simdjson::ondemand::parser parser;
  const simdjson::padded_string json(durability::read_file(path));
  auto text = [](simdjson::ondemand::value v) {
    return std::string(std::string_view(v.get_string()));
  };
  auto bad = [&](const std::string& what) {
    return Error(StatusCode::kBadInput, path.string() + ": " + what);
  };
  try {
    simdjson::ondemand::document doc = parser.iterate(json);
    simdjson::ondemand::object root = doc.get_object();
    if (root["format_version"].get_uint64() != 2) throw bad("unknown format_version");
    if (!parse_name(kModeNames, text(root["mode"]), &o.mode)) throw bad("unknown mode");
    o.exchange = text(root["exchange"]);
    o.durable = root["durable"].get_bool();
    if (!parse_name(kSourceNames, text(root["source"]), &o.source)) throw bad("unknown source");
    for (simdjson::ondemand::object in : root["inputs"].get_array()) {
      const std::string p = text(in["path"]);
      const uint64_t bytes = in["bytes"].get_uint64();
      const int64_t mtime = in["mtime_ns"].get_int64();
      const std::string sum = text(in["xxh3"]);
      const InputIdentity now = identify_input(p);
      if (now.bytes != bytes || now.mtime_ns != mtime ||
          durability::hex64(now.head_tail_xxh3) != sum) {
        throw bad_input(Location{p, 0, ""},
                        "input changed since the run started (size, mtime or "
                        "content): resuming would mix two inputs; start over with "
                        "--overwrite");
      }
      o.inputs.emplace_back(p);
    }
    for (simdjson::ondemand::value s : root["symbols"].get_array()) o.symbols.push_back(text(s));
    o.date_from = text(root["date_from"]);
    o.date_to = text(root["date_to"]);
    o.batch_size = root["batch_size"].get_uint64();
    o.top_n = static_cast<int32_t>(int64_t(root["top_n"].get_int64()));
    o.rows_per_file = root["rows_per_file"].get_uint64();
    o.checkpoint_batches = root["checkpoint_batches"].get_uint64();
    o.checkpoint_seconds = root["checkpoint_seconds"].get_int64();
    bool ok = parse_name(kBadRowNames, text(root["on_bad_row"]), &o.on_bad_row);
    ok &= parse_name(kSequenceNames, text(root["sequence"]), &o.book.sequence);
    ok &= parse_name(kCrossedNames, text(root["crossed"]), &o.book.crossed);
    ok &= parse_name(kConsumeNames, text(root["consume_trades"]), &o.book.consume_trades);
    ok &= parse_name(kSnapshotNames, text(root["snapshot"]), &o.book.snapshot);
    if (!ok) throw bad("unknown option value");
    o.book.max_buffered_messages = root["max_buffered_messages"].get_uint64();
    o.book.ticker_history = root["ticker_history"].get_uint64();
    o.book.ticker_pending = root["ticker_pending"].get_uint64();
    // Absent in runs written before --validate existed.
    bool validate = false;
    if (root["validate"].get_bool().get(validate) == simdjson::SUCCESS) o.validate = validate;
    // Absent in runs written before thin copies existed: they wrote none.
    bool thin = false;
    o.thin_copies = root["thin_copies"].get_bool().get(thin) == simdjson::SUCCESS && thin;
  } catch (const simdjson::simdjson_error& e) {
    throw bad(std::string("unreadable: ") + e.what());
  }
  return o;
}

void mark_done(const fs::path& state_dir) {
  durability::write_file_atomic(state_dir / kDoneFile, "done\n");
}

}  // namespace rlx::pipeline
