// Write-ahead log: an append-only sequence of opaque records, each numbered by a dense LSN (1, 2,
// 3, ... across segments), checksummed, and durable once sync() returns. `rlx reconstruct`
// journals batch progress and part commits through it; live capture logs raw messages.
//
// On disk: a directory of segment files `wal-<16 lower-case hex digits of first LSN>.log`. All
// integers are fixed-width little-endian.
//
//   segment header (32 bytes)
//     0  magic "RLXWAL\0\1" (8 bytes)
//     8  u32 format version (1)
//    12  u32 reserved (0)
//    16  u64 first LSN (must equal the file name's)
//    24  u64 XXH3-64 (seed 0) of bytes [0, 24)
//   record (20 + n bytes), back to back after the header
//     0  u32 payload length n (at most kWalMaxPayload)
//     4  u64 LSN (previous record's + 1; the first record's equals the header's first LSN)
//    12  payload (n bytes)
//  12+n  u64 XXH3-64 (seed 0) of bytes [0, 12 + n): length, LSN and payload
//
// A segment file only ever appears complete with its header (written to `<name>.tmp`, fsynced,
// renamed, directory fsynced), and a segment is fsynced before the next one is created, so only
// the last segment can end in a torn record. Recovery (scan_wal) tells the two cases apart:
//   - torn tail: the last segment ends in a partial record, or in one whose checksum fails and
//     after which no valid record follows (e.g. a crash mid-write). Reported; cut with repair.
//   - corruption: anything else (a bad record followed by a valid one, a bad record in an earlier
//     segment, a bad header, a name/header mismatch, an LSN gap or a missing middle segment):
//     Error(StatusCode::kBadInput) naming the file and byte offset. Never skipped.
// I/O failures throw Error(StatusCode::kIo) naming the path and the errno text.
//
// Thread-safety: a WalWriter is used by one thread at a time (no internal locking). One writer per
// directory: the writer holds an exclusive flock on the directory, and a second writer (in any
// process) or a repairing scan_wal fails with kIo instead of interleaving. A read-only scan may run
// beside a writer; it sees what the writer has flushed so far and may report a torn tail.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace rlx::durability {

inline constexpr uint64_t kWalHeaderBytes = 32;
inline constexpr uint64_t kWalRecordOverhead = 20;      // length + LSN + checksum
inline constexpr uint64_t kWalMaxPayload = 1ULL << 30;  // 1 GiB

// What sync() does. Every policy writes buffered records to the kernel on sync(), so a process
// crash (kill -9) after sync() returns loses nothing; they differ in what a power cut or kernel
// crash can lose.
enum class FsyncPolicy {
  // The default. sync() fsyncs: a record is on stable storage once sync() returns. A power cut
  // loses only records appended after the last sync().
  kPerBatch,
  // sync() fsyncs when fsync_interval_ms have passed since the last fsync (there is no background
  // thread). A power cut can lose records synced in the last interval, and more if sync() is not
  // called again; durable_lsn() says what is on stable storage.
  kInterval,
  // fsync only at rotation and close. A power cut can lose everything since the last rotation.
  // For tests and throwaway runs.
  kNever,
};

// The system calls the writer makes on segment files, overridable so tests can inject failures
// (ENOSPC on the n-th write, a failing fsync) and count calls. Directory fsyncs, opens and reads
// are not routed through it. Both return what the system call returns and set errno.
class WalIo {
 public:
  virtual ~WalIo() = default;
  virtual ssize_t write(int fd, const void* data, size_t size);
  virtual int fsync(int fd);
};

struct WalOptions {
  std::filesystem::path dir;
  // A segment is rotated before a record would take it past this size; a record larger than it
  // gets a segment of its own.
  uint64_t segment_bytes = 100 << 20;
  FsyncPolicy fsync = FsyncPolicy::kPerBatch;
  int64_t fsync_interval_ms = 200;  // kInterval only
  WalIo* io = nullptr;              // test hook; nullptr = the real system calls. Not owned.
};

// Appends records to the WAL in options.dir. Construction creates the directory (durably) if it is
// missing, takes the directory lock, scans every segment (scan_wal with repair: a torn tail is
// cut, corruption throws) and continues after the last valid record. After any I/O failure the
// writer is unusable: append() and sync() throw Error(kIo); what sync() had committed before the
// failure is recovered by the next scan. Records appended after the last successful sync() may or
// may not survive a failure or crash.
class WalWriter {
 public:
  explicit WalWriter(WalOptions options);
  // close(), swallowing errors: call close() first to see them.
  ~WalWriter();
  WalWriter(const WalWriter&) = delete;
  WalWriter& operator=(const WalWriter&) = delete;

  // Buffers one record (copied) and returns its LSN. Does I/O only when the buffer passes 1 MiB
  // (a write without fsync) or the segment rotates (the old segment is written and fsynced, the
  // new one created and fsynced into the directory). Payloads may be empty; at most
  // kWalMaxPayload bytes.
  uint64_t append(std::string_view payload);
  // The commit point: writes the buffered records and fsyncs according to the policy.
  void sync();
  // Deletes, oldest first, every segment whose records all have LSN < lsn (a checkpoint covers
  // them). The current segment is never deleted.
  void truncate_before(uint64_t lsn);
  // sync() plus an fsync whatever the policy, then releases the files and the lock. Idempotent;
  // after a failure it only releases.
  void close();

  uint64_t next_lsn() const { return next_lsn_; }
  // Every record with LSN <= durable_lsn() is fsynced (0: none yet).
  uint64_t durable_lsn() const { return durable_lsn_; }
  // Segment files present, oldest first.
  std::vector<std::filesystem::path> segments() const;

 private:
  struct Segment {
    uint64_t first_lsn;
    std::filesystem::path path;
  };

  void check_usable() const;
  [[noreturn]] void fail(const std::string& what, const std::filesystem::path& path);
  void write_all(int fd, const char* data, size_t size, const std::filesystem::path& path);
  void flush();
  void fsync_current();
  void rotate();
  void create_segment(uint64_t first_lsn);

  WalOptions options_;
  WalIo default_io_;
  WalIo* io_;
  int dir_fd_ = -1;  // holds the flock
  int fd_ = -1;      // current (last) segment, opened for writing at its end
  std::vector<Segment> segments_;
  uint64_t segment_size_ = 0;  // bytes of the current segment, buffered ones included
  std::string buffer_;         // records not yet written to the kernel
  uint64_t next_lsn_ = 1;
  uint64_t written_lsn_ = 0;  // last LSN handed to the kernel
  uint64_t durable_lsn_ = 0;  // last LSN fsynced
  std::chrono::steady_clock::time_point last_fsync_;
  std::string failure_;  // non-empty once unusable
  bool closed_ = false;
};

// What scan_wal found.
struct WalScan {
  std::vector<std::filesystem::path> segments;  // oldest first
  uint64_t first_lsn = 0;  // LSN of the oldest record present; 0 when there is none
  uint64_t next_lsn = 1;   // the LSN the next append gets
  uint64_t records = 0;    // valid records (each passed to the visitor)
  // A torn tail at the end of the last segment: where valid data ends, and why.
  bool torn_tail = false;
  std::filesystem::path torn_file;
  uint64_t torn_offset = 0;  // byte offset of the first bad byte; the file is cut here
  uint64_t torn_bytes = 0;   // bytes after torn_offset
  std::string torn_reason;
  bool repaired = false;            // the torn tail was cut (ftruncate + fsync)
  uint64_t removed_temp_files = 0;  // `wal-*.log.tmp` left by a crash mid-rotation (repair only)
};

// Called for every valid record in LSN order; `payload` is valid only during the call.
using WalVisitor = std::function<void(uint64_t lsn, std::string_view payload)>;

// Reads the WAL in `dir` segment by segment with bounded memory (one buffer of at least 1 MiB,
// or the largest record), checking every header, checksum and LSN. A missing or empty directory
// is an empty WAL. With `repair`, cuts a torn tail and removes leftover temp files (taking the
// directory lock, so not while a writer is open). Throws Error(kBadInput) on corruption after
// visiting the records before it, and Error(kIo) on I/O failure.
WalScan scan_wal(const std::filesystem::path& dir, bool repair, const WalVisitor& visit = {});

// The segment file name for a first LSN: "wal-0000000000000001.log".
std::string wal_segment_name(uint64_t first_lsn);

}  // namespace rlx::durability
