#include "rlx/live/recorder.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstring>
#include <vector>

#include "rlx/core/error.h"
#include "rlx/durability/durable_file.h"
#include "rlx/io/capture_segment.h"

namespace rlx::live {
namespace fs = std::filesystem;

namespace {

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t thread_cpu_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

std::string segment_name(uint32_t index) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "capture-%06u.jsonl.zst", index);
  return buf;
}

[[noreturn]] void io_error(const fs::path& path, const std::string& what) {
  throw Error(StatusCode::kIo, Location{path.string(), 0, ""}, what + ": " + std::strerror(errno));
}

}  // namespace

std::vector<fs::path> list_segments(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("capture-", 0) == 0 && name.size() > 14 &&
        name.compare(name.size() - 10, 10, ".jsonl.zst") == 0) {
      out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

void Recorder::format_line(int64_t capture_ns, std::string_view stream, std::string_view data,
                           std::string* out) {
  char num[24];
  const auto [end, ec] = std::to_chars(num, num + sizeof(num), capture_ns);
  out->append(R"({"capture_ns":)");
  out->append(num, end);
  out->append(R"(,"stream":")");
  out->append(stream);  // stream names are [a-z0-9@_!] from our own subscription list
  out->append(R"(","data":)");
  out->append(data);
  out->push_back('}');
}

Recorder::Recorder(RecorderOptions options, Log log) : options_(std::move(options)), log_(log) {
  durability::create_directories_durable(options_.dir);
  const auto existing = list_segments(options_.dir);
  if (!existing.empty()) {
    const std::string last = existing.back().filename().string();
    segment_index_ = static_cast<uint32_t>(std::stoul(last.substr(8, 6)));
  }
  cctx_ = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(static_cast<ZSTD_CCtx*>(cctx_), ZSTD_c_compressionLevel,
                         options_.zstd_level);
  ZSTD_CCtx_setParameter(static_cast<ZSTD_CCtx*>(cctx_), ZSTD_c_checksumFlag, 1);
  open_segment();
  writer_ = std::thread([this] { run(); });
}

Recorder::~Recorder() {
  try {
    close();
  } catch (const std::exception& e) {
    log_.write(LogLevel::kError, "capture.record_close_failed", {{"error", std::string(e.what())}});
  }
  ZSTD_freeCCtx(static_cast<ZSTD_CCtx*>(cctx_));
}

void Recorder::append(int64_t capture_ns, std::string_view stream, std::string_view data) {
  std::lock_guard<std::mutex> lock(mu_);
  const size_t before = pending_.size();
  format_line(capture_ns, stream, data, &pending_);
  queued(before);
}

void Recorder::append_line(std::string_view line) {
  std::lock_guard<std::mutex> lock(mu_);
  const size_t before = pending_.size();
  pending_.append(line);
  queued(before);
}

void Recorder::queued(size_t before) {
  pending_.push_back('\n');
  ++pending_lines_;
  ++stats_.lines;
  stats_.text_bytes += pending_.size() - before;
  if (before < options_.chunk_bytes && pending_.size() >= options_.chunk_bytes) wake_.notify_one();
}

void Recorder::flush() {
  std::unique_lock<std::mutex> lock(mu_);
  if (closed_) return;
  const uint64_t ticket = ++flush_requests_;
  wake_.notify_one();
  flushed_.wait(lock, [&] { return flushes_done_ >= ticket || !error_.empty(); });
  if (!error_.empty()) throw Error(StatusCode::kIo, error_);
}

void Recorder::close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    stopping_ = true;
    wake_.notify_one();
  }
  writer_.join();
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  if (!error_.empty()) throw Error(StatusCode::kIo, error_);
}

RecorderStats Recorder::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void Recorder::run() {
  std::string chunk;
  try {
    for (;;) {
      uint64_t lines = 0;
      uint64_t ticket = 0;
      bool stop = false;
      {
        std::unique_lock<std::mutex> lock(mu_);
        wake_.wait_for(lock, std::chrono::milliseconds(options_.flush_interval_ms), [&] {
          return stopping_ || flush_requests_ > flushes_done_ ||
                 pending_.size() >= options_.chunk_bytes;
        });
        // The two buffers trade places and keep their capacity.
        chunk.clear();
        chunk.swap(pending_);
        lines = pending_lines_;
        pending_lines_ = 0;
        ticket = flush_requests_;
        stop = stopping_;
      }
      write_pending(chunk, lines);
      {
        std::lock_guard<std::mutex> lock(mu_);
        flushes_done_ = ticket;
      }
      flushed_.notify_all();
      if (stop) break;
    }
    close_segment();
  } catch (const std::exception& e) {
    std::lock_guard<std::mutex> lock(mu_);
    error_ = e.what();
    flushes_done_ = flush_requests_;
    flushed_.notify_all();
  }
}

// One zstd frame for the chunk, written and synced; rotates first when the segment is full.
void Recorder::write_pending(const std::string& chunk, uint64_t lines) {
  const int64_t age_ns = steady_ns() - segment_opened_ns_;
  if (segment_text_ > 0 && (segment_text_ >= options_.rotate_bytes ||
                            age_ns >= int64_t{options_.rotate_seconds} * 1'000'000'000)) {
    close_segment();
    open_segment();
  }
  if (chunk.empty()) return;
  frame_.resize(std::max(frame_.size(), ZSTD_compressBound(chunk.size())));
  const size_t n = ZSTD_compress2(static_cast<ZSTD_CCtx*>(cctx_), frame_.data(), frame_.size(),
                                  chunk.data(), chunk.size());
  if (ZSTD_isError(n)) {
    throw Error(StatusCode::kInternal, std::string("zstd: ") + ZSTD_getErrorName(n));
  }
  const fs::path path = options_.dir / segment_name(segment_index_);
  if (!durability::write_all(fd_, std::string_view(frame_.data(), n))) io_error(path, "write");
  if (::fdatasync(fd_) != 0) io_error(path, "fdatasync");
  segment_text_ += chunk.size();
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.flushes;
  stats_.disk_bytes += n;
  stats_.durable_lines += lines;
  stats_.cpu_ns = thread_cpu_ns();
}

void Recorder::open_segment() {
  ++segment_index_;
  const fs::path path = options_.dir / segment_name(segment_index_);
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd_ < 0) io_error(path, "cannot create capture segment");
  const std::string header = io::segment_header_frame();
  if (!durability::write_all(fd_, header)) io_error(path, "write");
  if (::fsync(fd_) != 0) io_error(path, "fsync");
  durability::fsync_dir(options_.dir);
  segment_text_ = 0;
  segment_opened_ns_ = steady_ns();
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.segments;
  log_.info("capture.segment_opened", {{"path", path.string()}});
}

void Recorder::close_segment() {
  if (fd_ < 0) return;
  const fs::path path = options_.dir / segment_name(segment_index_);
  const std::string footer = io::segment_footer_frame();
  if (!durability::write_all(fd_, footer)) io_error(path, "write");
  if (::fsync(fd_) != 0) io_error(path, "fsync");
  ::close(fd_);
  fd_ = -1;
}

}  // namespace rlx::live
