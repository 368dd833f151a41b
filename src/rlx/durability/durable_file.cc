#include "rlx/durability/durable_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "rlx/core/error.h"

namespace rlx::durability {
namespace {

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path) {
  throw Error(StatusCode::kIo, what + " " + path.string() + ": " + std::strerror(errno));
}

class Fd {
 public:
  Fd(const std::filesystem::path& path, int flags, mode_t mode = 0644)
      : fd_(::open(path.c_str(), flags | O_CLOEXEC, mode)) {
    if (fd_ < 0) fail("cannot open", path);
  }
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void close(const std::filesystem::path& path) {
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail("cannot close", path);
  }

 private:
  int fd_;
};

std::filesystem::path parent_or_dot(const std::filesystem::path& path) {
  std::filesystem::path parent = path.parent_path();
  return parent.empty() ? std::filesystem::path(".") : parent;
}

}  // namespace

std::string read_file(const std::filesystem::path& path) {
  Fd fd(path, O_RDONLY);
  std::string out;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot read", path);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

FileDigest digest_file(const std::filesystem::path& path, bool sync) {
  Fd fd(path, O_RDONLY);
  std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)> state(XXH3_createState(),
                                                                 &XXH3_freeState);
  XXH3_64bits_reset(state.get());
  std::vector<char> buf(1 << 20);
  FileDigest digest;
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot read", path);
    }
    if (n == 0) break;
    XXH3_64bits_update(state.get(), buf.data(), static_cast<size_t>(n));
    digest.bytes += static_cast<uint64_t>(n);
  }
  digest.xxh3 = XXH3_64bits_digest(state.get());
  if (sync && ::fsync(fd.get()) != 0) fail("cannot fsync", path);
  fd.close(path);
  return digest;
}

void fsync_dir(const std::filesystem::path& dir) {
  Fd fd(dir, O_RDONLY | O_DIRECTORY);
  if (::fsync(fd.get()) != 0) fail("cannot fsync directory", dir);
  fd.close(dir);
}

void create_directories_durable(const std::filesystem::path& dir) {
  if (dir.empty() || std::filesystem::is_directory(dir)) return;
  create_directories_durable(dir.parent_path());
  std::error_code ec;
  if (!std::filesystem::create_directory(dir, ec) && ec) {
    throw Error(StatusCode::kIo, "cannot create directory " + dir.string() + ": " + ec.message());
  }
  fsync_dir(parent_or_dot(dir));
}

void rename_durable(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) fail("cannot rename " + from.string() + " to", to);
  fsync_dir(parent_or_dot(to));
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (n == 0) {
      errno = EIO;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void write_file_atomic(const std::filesystem::path& path, std::string_view content) {
  std::string tmp_name = ".";  // built by append: GCC 12 warns (-Wrestrict) on "." + string
  tmp_name.append(path.filename().string()).append(".tmp");
  const std::filesystem::path tmp = parent_or_dot(path) / tmp_name;
  {
    Fd fd(tmp, O_WRONLY | O_CREAT | O_TRUNC);
    if (!write_all(fd.get(), content)) fail("cannot write", tmp);
    if (::fsync(fd.get()) != 0) fail("cannot fsync", tmp);
    fd.close(tmp);
  }
  rename_durable(tmp, path);
}

std::string hex64(uint64_t value) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kHex[value & 0xf];
    value >>= 4;
  }
  return out;
}

FileLock::FileLock(const std::filesystem::path& path, Mode mode, const std::string& busy_message)
    : fd_(std::filesystem::is_directory(path)
              ? ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
              : ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
  if (fd_ < 0) {
    throw Error(StatusCode::kIo,
                path.string() + ": cannot open lock file: " + std::strerror(errno));
  }
  const int op = mode == Mode::kTry ? LOCK_EX | LOCK_NB : LOCK_EX;
  while (::flock(fd_, op) != 0) {
    const int err = errno;
    if (err == EINTR) continue;
    ::close(fd_);
    if (err == EWOULDBLOCK) throw Error(StatusCode::kInvalidArgument, busy_message);
    throw Error(StatusCode::kIo, path.string() + ": cannot lock: " + std::strerror(err));
  }
}

FileLock::~FileLock() { ::close(fd_); }  // closing releases the lock

}  // namespace rlx::durability
