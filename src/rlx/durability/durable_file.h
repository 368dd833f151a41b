// Durable file operations for committed output: fsync a file and its directory, create
// directories durably, replace a file atomically (temp + fsync + rename + directory fsync),
// and checksum a file with XXH3-64. Failures throw Error(StatusCode::kIo) naming the path.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace rlx::durability {

struct FileDigest {
  uint64_t bytes = 0;
  uint64_t xxh3 = 0;  // XXH3-64 (seed 0) of the file's bytes
};

// Reads `path` once, returning its size and XXH3-64; with `sync`, fsyncs it before closing.
FileDigest digest_file(const std::filesystem::path& path, bool sync = false);
// Creates `dir` and any missing parents, fsyncing the parent of every directory it creates.
void create_directories_durable(const std::filesystem::path& dir);
void fsync_dir(const std::filesystem::path& dir);
// rename(from, to) then fsync of `to`'s directory. `from` must already be fsynced.
void rename_durable(const std::filesystem::path& from, const std::filesystem::path& to);
// Writes `content` to "<dir>/.<name>.tmp", fsyncs, renames over `path`, fsyncs the directory.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);
// The whole file's bytes; Error(kIo) naming it when it cannot be read.
std::string read_file(const std::filesystem::path& path);
// Writes all of `data` to `fd`, retrying after EINTR and short writes. False (errno set) when
// a write fails: the caller decides whether that is an error (a file) or news (a pipe whose
// reader is gone).
bool write_all(int fd, std::string_view data);
// 16 lower-case hex digits.
std::string hex64(uint64_t value);

// An exclusive flock(2) on `path` (a file, created if missing, or a folder, locked through its
// own descriptor so emptying the folder never drops the lock), held for the object's lifetime
// and released by the kernel if the holder dies, so a crash never leaves it taken.
class FileLock {
 public:
  enum class Mode : uint8_t { kWait, kTry };
  // kTry: throws Error(kInvalidArgument) with `busy_message` when another process holds it.
  explicit FileLock(const std::filesystem::path& path, Mode mode = Mode::kWait,
                    const std::string& busy_message = "");
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_;
};

}  // namespace rlx::durability
