#include "rlx/durability/wal.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>
#include <system_error>
#include <utility>

#include "rlx/core/error.h"
#include "rlx/durability/durable_file.h"

namespace rlx::durability {
namespace {

namespace fs = std::filesystem;

static_assert(std::endian::native == std::endian::little, "the WAL format is little-endian");

constexpr char kMagic[8] = {'R', 'L', 'X', 'W', 'A', 'L', '\0', '\1'};
constexpr uint32_t kVersion = 1;
constexpr uint64_t kRecordHead = 12;             // length + LSN, the checksummed prefix
constexpr size_t kFlushBytes = size_t{1} << 20;  // append() writes to the kernel past this
constexpr size_t kReadChunk = size_t{1} << 20;

void put_u32(char* p, uint32_t v) { std::memcpy(p, &v, sizeof v); }
void put_u64(char* p, uint64_t v) { std::memcpy(p, &v, sizeof v); }
uint32_t get_u32(const char* p) {
  uint32_t v = 0;
  std::memcpy(&v, p, sizeof v);
  return v;
}
uint64_t get_u64(const char* p) {
  uint64_t v = 0;
  std::memcpy(&v, p, sizeof v);
  return v;
}

std::string errno_text(int err) { return std::strerror(err); }

[[noreturn]] void io_fail(const std::string& what, const fs::path& path) {
  throw Error(StatusCode::kIo, what + " " + path.string() + ": " + errno_text(errno));
}

[[noreturn]] void corrupt(const fs::path& path, uint64_t offset, const std::string& what) {
  throw Error(StatusCode::kBadInput, Location{path.string(), 0, ""},
              "WAL corrupt at byte offset " + std::to_string(offset) + ": " + what);
}

class Fd {
 public:
  Fd(const fs::path& path, int flags) : fd_(::open(path.c_str(), flags | O_CLOEXEC)) {
    if (fd_ < 0) io_fail("cannot open", path);
  }
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

void pread_all(int fd, char* out, size_t size, uint64_t offset, const fs::path& path) {
  while (size > 0) {
    const ssize_t n = ::pread(fd, out, size, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      io_fail("cannot read", path);
    }
    if (n == 0) {
      errno = EIO;
      io_fail("unexpected end of file reading", path);
    }
    out += n;
    size -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
}

// Sequential reads through one buffer that grows only to hold the largest record.
class Reader {
 public:
  Reader(int fd, const fs::path& path, uint64_t offset)
      : fd_(fd), path_(path), offset_(offset), buf_(kReadChunk, '\0') {}

  // Makes `n` bytes from the current position available; fewer only at end of file.
  size_t fill(size_t n) {
    if (end_ - begin_ >= n) return n;
    if (begin_ > 0) {
      std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    if (buf_.size() < n) buf_.resize(n);
    while (end_ < n) {
      const ssize_t got =
          ::pread(fd_, buf_.data() + end_, buf_.size() - end_, static_cast<off_t>(offset_ + end_));
      if (got < 0) {
        if (errno == EINTR) continue;
        io_fail("cannot read", path_);
      }
      if (got == 0) break;
      end_ += static_cast<size_t>(got);
    }
    return std::min(n, end_);
  }
  const char* data() const { return buf_.data() + begin_; }
  void skip(size_t n) {
    begin_ += n;
    offset_ += n;
  }

 private:
  int fd_;
  const fs::path& path_;
  uint64_t offset_;  // file offset of buf_[begin_]
  std::string buf_;
  size_t begin_ = 0;
  size_t end_ = 0;
};

struct SegmentFile {
  uint64_t first_lsn;
  fs::path path;
};

bool parse_segment_name(const std::string& name, uint64_t* first_lsn) {
  if (name.size() != 24 || name.compare(0, 4, "wal-") != 0 || name.compare(20, 4, ".log") != 0) {
    return false;
  }
  for (size_t i = 4; i < 20; ++i) {
    const char c = name[i];
    if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) return false;
  }
  const auto [ptr, ec] = std::from_chars(name.data() + 4, name.data() + 20, *first_lsn, 16);
  return ec == std::errc() && ptr == name.data() + 20;
}

bool is_temp_segment_name(const std::string& name) {
  uint64_t ignored = 0;
  return name.size() == 28 && name.compare(24, 4, ".tmp") == 0 &&
         parse_segment_name(name.substr(0, 24), &ignored);
}

void list_dir(const fs::path& dir, std::vector<SegmentFile>* segments,
              std::vector<fs::path>* temps) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    uint64_t first = 0;
    if (parse_segment_name(name, &first)) {
      segments->push_back({first, it->path()});
    } else if (is_temp_segment_name(name)) {
      temps->push_back(it->path());
    }
  }
  if (ec) throw Error(StatusCode::kIo, "cannot list " + dir.string() + ": " + ec.message());
  std::sort(segments->begin(), segments->end(),
            [](const SegmentFile& a, const SegmentFile& b) { return a.first_lsn < b.first_lsn; });
}

int lock_dir(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) io_fail("cannot open WAL directory", dir);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      throw Error(StatusCode::kIo,
                  "WAL directory " + dir.string() + " is locked by another writer");
    }
    errno = err;
    io_fail("cannot lock WAL directory", dir);
  }
  return fd;
}

std::string make_header(uint64_t first_lsn) {
  std::string h(kWalHeaderBytes, '\0');
  std::memcpy(h.data(), kMagic, sizeof kMagic);
  put_u32(h.data() + 8, kVersion);
  put_u32(h.data() + 12, 0);
  put_u64(h.data() + 16, first_lsn);
  put_u64(h.data() + 24, XXH3_64bits(h.data(), 24));
  return h;
}

// The first valid record at or after `from` whose LSN could follow `expected`: proof that a bad
// record before it is damage in the middle of the log, not a torn tail. Memory stays bounded.
std::optional<std::pair<uint64_t, uint64_t>> find_valid_record(int fd, const fs::path& path,
                                                               uint64_t from, uint64_t size,
                                                               uint64_t expected) {
  const uint64_t max_lsn = expected + (size - std::min(from, size)) / kWalRecordOverhead + 1;
  std::string window(kReadChunk, '\0');
  std::string record;
  for (uint64_t base = from; base + kWalRecordOverhead <= size;) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(window.size(), size - base));
    pread_all(fd, window.data(), want, base, path);
    for (size_t i = 0; i + kRecordHead <= want; ++i) {
      const uint64_t at = base + i;
      if (at + kWalRecordOverhead > size) break;
      const uint32_t len = get_u32(window.data() + i);
      const uint64_t lsn = get_u64(window.data() + i + 4);
      if (lsn < expected || lsn > max_lsn || len > kWalMaxPayload ||
          at + kWalRecordOverhead + len > size) {
        continue;
      }
      record.resize(kWalRecordOverhead + len);
      pread_all(fd, record.data(), record.size(), at, path);
      if (XXH3_64bits(record.data(), kRecordHead + len) ==
          get_u64(record.data() + kRecordHead + len)) {
        return std::make_pair(at, lsn);
      }
    }
    base += want - (kRecordHead - 1);  // the next window starts at the first unchecked position
  }
  return std::nullopt;
}

struct ScanState {
  WalScan scan;
  std::vector<SegmentFile> segments;
  uint64_t last_end = 0;  // size of the last segment after the scan (and any repair)
};

// Checks one segment, visiting its records; returns the offset where its valid data ends.
uint64_t scan_segment(const SegmentFile& seg, bool is_last, bool is_first, bool repair,
                      const WalVisitor& visit, uint64_t* expected, WalScan* out) {
  const fs::path& path = seg.path;
  Fd fd(path, repair && is_last ? O_RDWR : O_RDONLY);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) io_fail("cannot stat", path);
  const auto size = static_cast<uint64_t>(st.st_size);

  if (size < kWalHeaderBytes) {
    corrupt(path, 0, "segment header is truncated (" + std::to_string(size) + " bytes)");
  }
  char header[kWalHeaderBytes];
  pread_all(fd.get(), header, sizeof header, 0, path);
  if (std::memcmp(header, kMagic, sizeof kMagic) != 0) corrupt(path, 0, "bad segment magic");
  if (XXH3_64bits(header, 24) != get_u64(header + 24)) {
    corrupt(path, 24, "segment header checksum mismatch");
  }
  if (get_u32(header + 8) != kVersion) {
    corrupt(path, 8, "unsupported format version " + std::to_string(get_u32(header + 8)));
  }
  const uint64_t first = get_u64(header + 16);
  if (first != seg.first_lsn || first == 0) {
    corrupt(path, 16,
            "header first LSN " + std::to_string(first) + " does not match the file name");
  }
  if (is_first) {
    *expected = first;
  } else if (first != *expected) {
    corrupt(path, 16,
            "segment begins at LSN " + std::to_string(first) + " but the previous segment ends " +
                "before LSN " + std::to_string(*expected) + ": a segment is missing or misplaced");
  }

  Reader reader(fd.get(), path, kWalHeaderBytes);
  uint64_t offset = kWalHeaderBytes;
  while (offset < size) {
    const uint64_t left = size - offset;
    std::string bad;
    if (left < kRecordHead) {
      bad = "partial record header (" + std::to_string(left) + " bytes)";
    } else {
      reader.fill(kRecordHead);
      const uint32_t len = get_u32(reader.data());
      const uint64_t lsn = get_u64(reader.data() + 4);
      if (len > kWalMaxPayload) {
        bad = "record length " + std::to_string(len) + " exceeds the maximum";
      } else if (kWalRecordOverhead + len > left) {
        bad = "record of " + std::to_string(len) + " payload bytes runs past the end of the file";
      } else {
        const size_t total = kWalRecordOverhead + len;
        if (reader.fill(total) < total) {
          errno = EIO;
          io_fail("file shrank while reading", path);
        }
        const char* rec = reader.data();
        if (XXH3_64bits(rec, kRecordHead + len) != get_u64(rec + kRecordHead + len)) {
          bad = "record checksum mismatch";
        } else if (lsn != *expected) {
          corrupt(
              path, offset + 4,
              "record has LSN " + std::to_string(lsn) + ", expected " + std::to_string(*expected));
        } else {
          if (visit) visit(lsn, std::string_view(rec + kRecordHead, len));
          ++out->records;
          ++*expected;
          reader.skip(total);
          offset += total;
          continue;
        }
      }
    }
    if (!is_last) corrupt(path, offset, bad + " in a segment that is not the last");
    if (const auto good = find_valid_record(fd.get(), path, offset + 1, size, *expected)) {
      corrupt(path, offset,
              bad + ", but a valid record (LSN " + std::to_string(good->second) +
                  ") follows at byte offset " + std::to_string(good->first));
    }
    out->torn_tail = true;
    out->torn_file = path;
    out->torn_offset = offset;
    out->torn_bytes = size - offset;
    out->torn_reason = bad;
    if (repair) {
      if (::ftruncate(fd.get(), static_cast<off_t>(offset)) != 0) io_fail("cannot truncate", path);
      if (::fsync(fd.get()) != 0) io_fail("cannot fsync", path);
      out->repaired = true;
    }
    return offset;
  }
  return size;
}

ScanState scan_locked(const fs::path& dir, bool repair, const WalVisitor& visit) {
  ScanState state;
  std::vector<fs::path> temps;
  list_dir(dir, &state.segments, &temps);
  if (repair && !temps.empty()) {
    for (const fs::path& t : temps) {
      if (::unlink(t.c_str()) != 0) io_fail("cannot delete", t);
    }
    fsync_dir(dir);
    state.scan.removed_temp_files = temps.size();
  }
  uint64_t expected = 1;
  for (size_t i = 0; i < state.segments.size(); ++i) {
    const bool is_last = i + 1 == state.segments.size();
    state.last_end =
        scan_segment(state.segments[i], is_last, i == 0, repair, visit, &expected, &state.scan);
    state.scan.segments.push_back(state.segments[i].path);
  }
  state.scan.next_lsn = expected;
  if (state.scan.records > 0) state.scan.first_lsn = state.segments.front().first_lsn;
  return state;
}

}  // namespace

ssize_t WalIo::write(int fd, const void* data, size_t size) { return ::write(fd, data, size); }
int WalIo::fsync(int fd) { return ::fsync(fd); }

std::string wal_segment_name(uint64_t first_lsn) { return "wal-" + hex64(first_lsn) + ".log"; }

WalScan scan_wal(const fs::path& dir, bool repair, const WalVisitor& visit) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    if (ec) throw Error(StatusCode::kIo, "cannot stat " + dir.string() + ": " + ec.message());
    return WalScan{};
  }
  if (!repair) return scan_locked(dir, false, visit).scan;
  const int lock = lock_dir(dir);
  try {
    WalScan scan = scan_locked(dir, true, visit).scan;
    ::close(lock);
    return scan;
  } catch (...) {
    ::close(lock);
    throw;
  }
}

WalWriter::WalWriter(WalOptions options)
    : options_(std::move(options)),
      io_(options_.io),
      last_fsync_(std::chrono::steady_clock::now()) {
  if (options_.dir.empty()) throw Error(StatusCode::kInvalidArgument, "WAL directory is empty");
  if (io_ == nullptr) io_ = &default_io_;
  buffer_.reserve(kFlushBytes + 64);
  create_directories_durable(options_.dir);
  dir_fd_ = lock_dir(options_.dir);
  try {
    ScanState state = scan_locked(options_.dir, /*repair=*/true, {});
    next_lsn_ = state.scan.next_lsn;
    for (SegmentFile& s : state.segments) segments_.push_back({s.first_lsn, std::move(s.path)});
    if (segments_.empty()) {
      create_segment(next_lsn_);
    } else {
      const fs::path& path = segments_.back().path;
      fd_ = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd_ < 0) io_fail("cannot open", path);
      if (::lseek(fd_, static_cast<off_t>(state.last_end), SEEK_SET) < 0)
        io_fail("cannot seek", path);
      segment_size_ = state.last_end;
      // What an earlier process left in the page cache becomes durable before anything follows.
      if (io_->fsync(fd_) != 0) io_fail("cannot fsync", path);
    }
    written_lsn_ = next_lsn_ - 1;
    durable_lsn_ = written_lsn_;
  } catch (...) {
    if (fd_ >= 0) ::close(fd_);
    ::close(dir_fd_);
    throw;
  }
}

WalWriter::~WalWriter() {
  try {
    close();
  } catch (...) {  // NOLINT(bugprone-empty-catch): a destructor must not throw; close() reports
  }
}

std::vector<fs::path> WalWriter::segments() const {
  std::vector<fs::path> out;
  out.reserve(segments_.size());
  for (const Segment& s : segments_) out.push_back(s.path);
  return out;
}

void WalWriter::check_usable() const {
  if (closed_)
    throw Error(StatusCode::kInternal, "WAL writer for " + options_.dir.string() + " is closed");
  if (!failure_.empty()) {
    throw Error(StatusCode::kIo, "WAL writer for " + options_.dir.string() +
                                     " is unusable after an earlier failure: " + failure_);
  }
}

void WalWriter::fail(const std::string& what, const fs::path& path) {
  const std::string text = what + " " + path.string() + ": " + errno_text(errno);
  failure_ = text;
  throw Error(StatusCode::kIo, text);
}

void WalWriter::write_all(int fd, const char* data, size_t size, const fs::path& path) {
  while (size > 0) {
    const ssize_t n = io_->write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write", path);
    }
    if (n == 0) {
      errno = EIO;
      fail("cannot write (no progress)", path);
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
}

void WalWriter::flush() {
  if (buffer_.empty()) return;
  write_all(fd_, buffer_.data(), buffer_.size(), segments_.back().path);
  buffer_.clear();
  written_lsn_ = next_lsn_ - 1;
}

void WalWriter::fsync_current() {
  if (io_->fsync(fd_) != 0) fail("cannot fsync", segments_.back().path);
  durable_lsn_ = written_lsn_;
  last_fsync_ = std::chrono::steady_clock::now();
}

void WalWriter::create_segment(uint64_t first_lsn) {
  const fs::path path = options_.dir / wal_segment_name(first_lsn);
  fs::path tmp = path;
  tmp += ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot create", tmp);
  try {
    const std::string header = make_header(first_lsn);
    write_all(fd, header.data(), header.size(), tmp);
    if (io_->fsync(fd) != 0) fail("cannot fsync", tmp);
    rename_durable(tmp, path);
  } catch (const std::exception& e) {
    ::close(fd);
    if (failure_.empty()) failure_ = e.what();
    throw;
  }
  fd_ = fd;
  segments_.push_back({first_lsn, path});
  segment_size_ = kWalHeaderBytes;
}

void WalWriter::rotate() {
  flush();
  fsync_current();  // only the last segment may ever end in a torn record
  const int old = fd_;
  fd_ = -1;
  if (::close(old) != 0) fail("cannot close", segments_.back().path);
  create_segment(next_lsn_);
}

uint64_t WalWriter::append(std::string_view payload) {
  check_usable();
  if (payload.size() > kWalMaxPayload) {
    throw Error(StatusCode::kInternal, "WAL record of " + std::to_string(payload.size()) +
                                           " bytes exceeds the maximum of " +
                                           std::to_string(kWalMaxPayload));
  }
  try {
    const uint64_t bytes = kWalRecordOverhead + payload.size();
    if (segment_size_ > kWalHeaderBytes && segment_size_ + bytes > options_.segment_bytes) rotate();
    const uint64_t lsn = next_lsn_;
    const size_t at = buffer_.size();
    char head[kRecordHead];
    put_u32(head, static_cast<uint32_t>(payload.size()));
    put_u64(head + 4, lsn);
    buffer_.append(head, sizeof head);
    buffer_.append(payload);
    char sum[8];
    put_u64(sum, XXH3_64bits(buffer_.data() + at, kRecordHead + payload.size()));
    buffer_.append(sum, sizeof sum);
    segment_size_ += bytes;
    next_lsn_ = lsn + 1;
    if (buffer_.size() >= kFlushBytes) flush();
    return lsn;
  } catch (const std::exception& e) {
    if (failure_.empty()) failure_ = e.what();
    throw;
  }
}

void WalWriter::sync() {
  check_usable();
  try {
    flush();
    if (written_lsn_ == durable_lsn_) return;
    switch (options_.fsync) {
      case FsyncPolicy::kPerBatch:
        fsync_current();
        break;
      case FsyncPolicy::kInterval:
        if (std::chrono::steady_clock::now() - last_fsync_ >=
            std::chrono::milliseconds(options_.fsync_interval_ms)) {
          fsync_current();
        }
        break;
      case FsyncPolicy::kNever:
        break;
    }
  } catch (const std::exception& e) {
    if (failure_.empty()) failure_ = e.what();
    throw;
  }
}

void WalWriter::truncate_before(uint64_t lsn) {
  check_usable();
  try {
    // Oldest first, each deletion made durable before the next, so a crash leaves a suffix.
    while (segments_.size() > 1 && segments_[1].first_lsn <= lsn) {
      const fs::path path = segments_.front().path;
      if (::unlink(path.c_str()) != 0) fail("cannot delete", path);
      segments_.erase(segments_.begin());
      fsync_dir(options_.dir);
    }
  } catch (const std::exception& e) {
    if (failure_.empty()) failure_ = e.what();
    throw;
  }
}

void WalWriter::close() {
  if (closed_) return;
  closed_ = true;
  std::string error;
  if (failure_.empty()) {
    try {
      flush();
      if (written_lsn_ != durable_lsn_) fsync_current();
    } catch (const std::exception& e) {
      error = e.what();
    }
  }
  if (fd_ >= 0 && ::close(fd_) != 0 && error.empty() && failure_.empty()) {
    error = "cannot close " + segments_.back().path.string() + ": " + errno_text(errno);
  }
  fd_ = -1;
  if (dir_fd_ >= 0) ::close(dir_fd_);
  dir_fd_ = -1;
  if (!error.empty()) throw Error(StatusCode::kIo, error);
}

}  // namespace rlx::durability
