#include "rlx/durability/checkpoint_store.h"

#include <simdjson.h>
#include <xxhash.h>

#include <cstring>

#include "rlx/core/error.h"
#include "rlx/core/json_writer.h"
#include "rlx/durability/durable_file.h"

namespace rlx::durability {
namespace {

constexpr char kMagic[8] = {'R', 'L', 'X', 'C', 'K', 'P', 'T', '\0'};
constexpr size_t kHeaderBytes = 8 + 4 + 8 + 8 + 8;
constexpr const char* kIndexName = "index.json";

void put_u32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_u64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint64_t get_u64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
uint32_t get_u32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

std::string file_name(uint64_t id) {
  std::string digits = std::to_string(id);
  return "ckpt-" + std::string(20 - digits.size(), '0') + digits + ".bin";
}

std::string index_json(const std::vector<CheckpointEntry>& index) {
  JsonWriter w(/*pretty=*/true);
  w.begin_object();
  w.key("format_version").uint64(kCheckpointFormatVersion);
  w.key("checkpoints").begin_array();
  for (const CheckpointEntry& e : index) {
    w.begin_object();
    w.key("id").uint64(e.id);
    w.key("file").string(e.file);
    w.key("bytes").uint64(e.bytes);
    w.key("xxh3").string(hex64(e.xxh3));
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.take() + "\n";
}

}  // namespace

CheckpointStore::CheckpointStore(CheckpointStoreOptions options) : options_(std::move(options)) {
  if (options_.keep < 1) options_.keep = 1;
  create_directories_durable(options_.dir);
  index_ = read_index(options_.dir);
  writer_ = std::thread([this] { run(); });
}

CheckpointStore::~CheckpointStore() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  writer_.join();
}

void CheckpointStore::submit(uint64_t id, std::function<std::string()> make_payload) {
  std::lock_guard<std::mutex> lock(mu_);
  if (error_) std::rethrow_exception(error_);
  jobs_.push_back(Job{id, std::move(make_payload)});
  cv_.notify_all();
}

void CheckpointStore::wait() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return (jobs_.empty() && !busy_) || error_ != nullptr; });
  if (error_) std::rethrow_exception(error_);
}

void CheckpointStore::run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stop_ and nothing left
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    if (error_) continue;  // a failed store writes nothing more
    busy_ = true;
    lock.unlock();
    std::exception_ptr failure;
    try {
      write_one(job);
    } catch (...) {
      failure = std::current_exception();
    }
    lock.lock();
    busy_ = false;
    if (failure && !error_) error_ = failure;
    cv_.notify_all();
  }
}

void CheckpointStore::write_one(const Job& job) {
  const std::string payload = job.make_payload();
  CheckpointEntry entry;
  entry.id = job.id;
  entry.file = file_name(job.id);
  entry.bytes = payload.size();
  entry.xxh3 = XXH3_64bits(payload.data(), payload.size());
  std::string bytes;
  bytes.reserve(kHeaderBytes + payload.size());
  bytes.append(kMagic, sizeof(kMagic));
  put_u32(&bytes, kCheckpointFormatVersion);
  put_u64(&bytes, entry.id);
  put_u64(&bytes, entry.bytes);
  put_u64(&bytes, entry.xxh3);
  bytes.append(payload);
  write_file_atomic(options_.dir / entry.file, bytes);

  // A resumed run may checkpoint again at the batch it resumed from: the same id and file
  // name. One entry per id, or pruning the older one would delete the newer's file.
  std::erase_if(index_, [&entry](const CheckpointEntry& e) { return e.id == entry.id; });
  index_.insert(index_.begin(), entry);
  std::vector<CheckpointEntry> pruned;
  if (index_.size() > options_.keep) {
    pruned.assign(index_.begin() + static_cast<std::ptrdiff_t>(options_.keep), index_.end());
    index_.resize(options_.keep);
  }
  write_file_atomic(options_.dir / kIndexName, index_json(index_));
  for (const CheckpointEntry& old : pruned) {
    std::error_code ec;
    std::filesystem::remove(options_.dir / old.file, ec);  // unlisted: harmless if it stays
  }
}

std::vector<CheckpointEntry> CheckpointStore::read_index(const std::filesystem::path& dir) {
  std::vector<CheckpointEntry> index;
  const std::filesystem::path path = dir / kIndexName;
  if (!std::filesystem::exists(path)) return index;
  simdjson::ondemand::parser parser;
  const simdjson::padded_string json = simdjson::padded_string(read_file(path));
  try {
    simdjson::ondemand::document doc = parser.iterate(json);
    for (simdjson::ondemand::object e : doc["checkpoints"].get_array()) {
      CheckpointEntry entry;
      entry.id = e["id"].get_uint64();
      entry.file = std::string(std::string_view(e["file"].get_string()));
      entry.bytes = e["bytes"].get_uint64();
      entry.xxh3 = std::stoull(std::string(std::string_view(e["xxh3"].get_string())), nullptr, 16);
      index.push_back(std::move(entry));
    }
  } catch (const std::exception& ex) {
    throw Error(StatusCode::kBadInput,
                path.string() + ": unreadable checkpoint index: " + ex.what());
  }
  return index;
}

void CheckpointStore::drop_newer_than(const std::filesystem::path& dir, uint64_t id) {
  std::vector<CheckpointEntry> index = read_index(dir);
  std::vector<CheckpointEntry> kept;
  std::vector<CheckpointEntry> dropped;
  for (CheckpointEntry& e : index) (e.id > id ? dropped : kept).push_back(std::move(e));
  if (dropped.empty()) return;
  write_file_atomic(dir / kIndexName, index_json(kept));
  for (const CheckpointEntry& e : dropped) {
    std::error_code ec;
    std::filesystem::remove(dir / e.file, ec);
  }
}

std::vector<LoadedCheckpoint> CheckpointStore::load_valid(const std::filesystem::path& dir,
                                                          std::vector<std::string>* problems) {
  std::vector<LoadedCheckpoint> out;
  for (const CheckpointEntry& e : read_index(dir)) {
    const std::filesystem::path path = dir / e.file;
    auto problem = [&](const std::string& what) {
      if (problems) problems->push_back(path.string() + ": " + what);
    };
    if (!std::filesystem::exists(path)) {
      problem("listed in the index but missing");
      continue;
    }
    const std::string bytes = read_file(path);
    if (bytes.size() < kHeaderBytes || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
      problem("not a checkpoint (short or bad magic)");
      continue;
    }
    const uint32_t version = get_u32(bytes.data() + 8);
    const uint64_t id = get_u64(bytes.data() + 12);
    const uint64_t size = get_u64(bytes.data() + 20);
    const uint64_t sum = get_u64(bytes.data() + 28);
    if (version != kCheckpointFormatVersion) {
      problem("format version " + std::to_string(version) + ", expected " +
              std::to_string(kCheckpointFormatVersion));
      continue;
    }
    if (id != e.id || size != e.bytes || sum != e.xxh3 || bytes.size() != kHeaderBytes + size) {
      problem("header disagrees with the index or the file is truncated");
      continue;
    }
    if (XXH3_64bits(bytes.data() + kHeaderBytes, size) != sum) {
      problem("checksum mismatch");
      continue;
    }
    out.push_back(LoadedCheckpoint{id, bytes.substr(kHeaderBytes)});
  }
  return out;
}

}  // namespace rlx::durability
