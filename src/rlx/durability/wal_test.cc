#include "rlx/durability/wal.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "rlx/core/error.h"
#include "rlx/testing/test_data.h"

namespace rlx::durability {
namespace {
namespace fs = std::filesystem;

using Records = std::vector<std::pair<uint64_t, std::string>>;

// Deterministic content that differs per LSN and size.
std::string payload_for(uint64_t lsn, size_t size) {
  std::string out(size, '\0');
  uint64_t x = lsn * 0x9E3779B97F4A7C15ULL + size;
  for (char& c : out) {
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    c = static_cast<char>((x * 0x2545F4914F6CDD1DULL) >> 56);
  }
  return out;
}

Records read_all(const fs::path& dir, WalScan* scan = nullptr, bool repair = false) {
  Records out;
  WalScan s = scan_wal(dir, repair, [&](uint64_t lsn, std::string_view payload) {
    out.emplace_back(lsn, std::string(payload));
  });
  if (scan != nullptr) *scan = s;
  return out;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

WalOptions options(const fs::path& dir, uint64_t segment_bytes = 100 << 20,
                   FsyncPolicy fsync = FsyncPolicy::kPerBatch, WalIo* io = nullptr) {
  WalOptions o;
  o.dir = dir;
  o.segment_bytes = segment_bytes;
  o.fsync = fsync;
  o.io = io;
  return o;
}

// The path behind a file descriptor, to aim a failure at one file.
std::string fd_path(int fd) {
  std::error_code ec;
  return fs::read_symlink("/proc/self/fd/" + std::to_string(fd), ec).string();
}

// Counts calls; can fail the n-th write (after writing half of it, like a disk filling up
// mid-write), every write to a temp segment, or every fsync.
class TestIo : public WalIo {
 public:
  ssize_t write(int fd, const void* data, size_t size) override {
    ++writes;
    if (fail_temp_writes && fd_path(fd).ends_with(".tmp")) return enospc();
    if (fail_on_write != 0 && writes >= fail_on_write) {
      if (writes == fail_on_write && size > 1) return WalIo::write(fd, data, size / 2);
      return enospc();
    }
    return WalIo::write(fd, data, size);
  }
  int fsync(int fd) override {
    ++fsyncs;
    if (fail_fsync) {
      errno = EIO;
      return -1;
    }
    return WalIo::fsync(fd);
  }
  static ssize_t enospc() {
    errno = ENOSPC;
    return -1;
  }

  int64_t writes = 0;
  int64_t fsyncs = 0;
  int64_t fail_on_write = 0;  // 1-based write call to fail; 0 = none
  bool fail_temp_writes = false;
  bool fail_fsync = false;
};

void expect_exact(const Records& got, const std::vector<std::string>& want, uint64_t first_lsn) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].first, first_lsn + i);
    ASSERT_EQ(got[i].second, want[i]) << "LSN " << got[i].first;
  }
}

// Expects `fn` to throw rlx::Error with `code` whose message contains every string in `parts`.
template <typename Fn>
void expect_error(Fn fn, StatusCode code, const std::vector<std::string>& parts) {
  try {
    fn();
    ADD_FAILURE() << "no error thrown";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    for (const std::string& p : parts)
      EXPECT_NE(std::string(e.what()).find(p), std::string::npos)
          << "'" << p << "' not in: " << e.what();
  }
}

TEST(Wal, RoundTripAcrossManySmallSegments) {
  testing::TempDir tmp;
  const fs::path dir = tmp.path() / "wal";  // created by the writer
  std::vector<std::string> want;
  std::vector<fs::path> segments;
  {
    WalWriter w(options(dir, 2000));
    EXPECT_EQ(w.next_lsn(), 1u);
    for (uint64_t i = 1; i <= 500; ++i) {
      want.push_back(payload_for(i, (i * 37) % 211));
      ASSERT_EQ(w.append(want.back()), i);
      if (i % 37 == 0) {
        w.sync();
        EXPECT_EQ(w.durable_lsn(), i);
      }
    }
    segments = w.segments();
    w.close();
  }
  ASSERT_GT(segments.size(), 20u);
  WalScan scan;
  expect_exact(read_all(dir, &scan), want, 1);
  EXPECT_EQ(scan.segments, segments);
  EXPECT_EQ(scan.first_lsn, 1u);
  EXPECT_EQ(scan.next_lsn, 501u);
  EXPECT_EQ(scan.records, 500u);
  EXPECT_FALSE(scan.torn_tail);
  // Every segment is named after its first LSN, and no segment passes 2000 bytes unless it holds
  // a single record.
  uint64_t lsn = 1;
  for (const fs::path& p : segments) {
    EXPECT_EQ(p.filename().string(), wal_segment_name(lsn));
    const uint64_t size = fs::file_size(p);
    uint64_t n = 0;
    for (uint64_t bytes = kWalHeaderBytes; bytes < size; ++n) {
      bytes += kWalRecordOverhead + want[lsn - 1 + n].size();
    }
    EXPECT_TRUE(size <= 2000 || n == 1) << p << " " << size;
    lsn += n;
  }
  EXPECT_EQ(lsn, 501u);
  EXPECT_EQ(wal_segment_name(0x1234abcd), "wal-000000001234abcd.log");
}

TEST(Wal, ReopenContinuesTheLsns) {
  testing::TempDir tmp;
  std::vector<std::string> want;
  for (int round = 0; round < 3; ++round) {
    WalWriter w(options(tmp.path(), 512));
    EXPECT_EQ(w.next_lsn(), want.size() + 1);
    EXPECT_EQ(w.durable_lsn(), want.size());
    for (int i = 0; i < 25; ++i) {
      want.push_back(payload_for(want.size() + 1, 40));
      EXPECT_EQ(w.append(want.back()), want.size());
    }
    if (round == 0) w.sync();
    // Rounds 1 and 2 rely on the destructor's close.
  }
  expect_exact(read_all(tmp.path()), want, 1);
  // The reopened writer appended to the last segment rather than starting a new one each time:
  // 75 records of 60 bytes, 8 to a 512-byte segment.
  EXPECT_EQ(scan_wal(tmp.path(), false).segments.size(), 10u);
}

TEST(Wal, EmptyDirectoryIsAnEmptyWal) {
  testing::TempDir tmp;
  WalScan scan = scan_wal(tmp.path() / "missing", false);
  EXPECT_EQ(scan.next_lsn, 1u);
  EXPECT_TRUE(scan.segments.empty());
  { WalWriter w(options(tmp.path())); }
  scan = scan_wal(tmp.path(), false);
  EXPECT_EQ(scan.next_lsn, 1u);
  EXPECT_EQ(scan.records, 0u);
  EXPECT_EQ(scan.first_lsn, 0u);
  ASSERT_EQ(scan.segments.size(), 1u);
  EXPECT_EQ(fs::file_size(scan.segments[0]), kWalHeaderBytes);
}

TEST(Wal, TruncateBeforeDeletesOnlyCoveredSegments) {
  testing::TempDir tmp;
  std::vector<std::string> want;
  WalWriter w(options(tmp.path(), 200));
  for (uint64_t i = 1; i <= 100; ++i) {
    want.push_back(payload_for(i, i % 50));
    w.append(want.back());
  }
  w.sync();
  const std::vector<fs::path> before = w.segments();
  ASSERT_GT(before.size(), 10u);
  std::vector<uint64_t> firsts;
  firsts.reserve(before.size());
  for (const fs::path& p : before) {
    firsts.push_back(std::stoull(p.stem().string().substr(4), nullptr, 16));
  }
  // The segment holding LSN 50 is kept, every one before it goes.
  uint64_t keep_from = 0;
  for (uint64_t f : firsts) {
    if (f <= 50) keep_from = f;
  }
  w.truncate_before(50);
  for (size_t i = 0; i < before.size(); ++i)
    EXPECT_EQ(fs::exists(before[i]), firsts[i] >= keep_from);
  WalScan scan;
  Records got = read_all(tmp.path(), &scan);
  EXPECT_EQ(scan.first_lsn, keep_from);
  EXPECT_LE(scan.first_lsn, 50u);
  expect_exact(got, std::vector<std::string>(want.begin() + (keep_from - 1), want.end()),
               keep_from);
  // Idempotent, and never deletes the current segment.
  w.truncate_before(50);
  EXPECT_EQ(w.segments().size(), scan.segments.size());
  w.truncate_before(1'000'000);
  ASSERT_EQ(w.segments().size(), 1u);
  EXPECT_EQ(w.segments()[0], before.back());
  w.close();
  // A reopened WAL whose oldest segments are gone continues the LSNs.
  WalWriter again(options(tmp.path(), 200));
  EXPECT_EQ(again.append("after"), 101u);
  again.close();
  got = read_all(tmp.path(), &scan);
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.back(), std::make_pair(uint64_t{101}, std::string("after")));
  EXPECT_EQ(scan.first_lsn, firsts.back());
}

// A WAL of one segment: records 1..n with the given payload sizes. Returns each record's offset.
std::vector<uint64_t> write_wal(const fs::path& dir, const std::vector<size_t>& sizes,
                                std::vector<std::string>* want) {
  std::vector<uint64_t> offsets;
  WalWriter w(options(dir, 1 << 30, FsyncPolicy::kNever));
  uint64_t at = kWalHeaderBytes;
  for (size_t size : sizes) {
    want->push_back(payload_for(want->size() + 1, size));
    w.append(want->back());
    offsets.push_back(at);
    at += kWalRecordOverhead + size;
  }
  w.close();
  return offsets;
}

TEST(Wal, TornTailIsCutAtEveryBytePosition) {
  testing::TempDir tmp;
  std::vector<std::string> want;
  const std::vector<uint64_t> offsets = write_wal(tmp.path(), {10, 0, 30, 45}, &want);
  const fs::path seg = tmp.path() / wal_segment_name(1);
  const std::string full = read_file(seg);
  const uint64_t last = offsets.back();
  ASSERT_EQ(full.size(), last + kWalRecordOverhead + 45);
  const std::vector<std::string> kept(want.begin(), want.end() - 1);
  for (uint64_t cut = last; cut < full.size(); ++cut) {
    SCOPED_TRACE("file cut to " + std::to_string(cut) + " bytes");
    write_file(seg, full.substr(0, cut));
    WalScan scan;
    expect_exact(read_all(tmp.path(), &scan), kept, 1);
    EXPECT_EQ(scan.next_lsn, 4u);
    EXPECT_EQ(scan.torn_tail, cut > last);
    if (cut > last) {
      EXPECT_EQ(scan.torn_file, seg);
      EXPECT_EQ(scan.torn_offset, last);
      EXPECT_EQ(scan.torn_bytes, cut - last);
      EXPECT_FALSE(scan.repaired);
      EXPECT_EQ(fs::file_size(seg), cut);  // a read-only scan changes nothing
    }
    // Repair cuts exactly the torn bytes; the writer continues after the last valid record.
    expect_exact(read_all(tmp.path(), &scan, /*repair=*/true), kept, 1);
    EXPECT_EQ(scan.repaired, cut > last);
    EXPECT_EQ(fs::file_size(seg), last);
    {
      WalWriter w(options(tmp.path()));
      EXPECT_EQ(w.append(want.back()), 4u);
    }
    expect_exact(read_all(tmp.path(), &scan), want, 1);
    EXPECT_FALSE(scan.torn_tail);
    EXPECT_EQ(read_file(seg), full);
  }
}

TEST(Wal, DamagedLastRecordOrZeroFilledTailIsATornTail) {
  testing::TempDir tmp;
  std::vector<std::string> want;
  const std::vector<uint64_t> offsets = write_wal(tmp.path(), {20, 20, 20}, &want);
  const fs::path seg = tmp.path() / wal_segment_name(1);
  const std::string full = read_file(seg);
  const std::vector<std::string> kept(want.begin(), want.end() - 1);
  WalScan scan;
  // The last record complete but failing its checksum: indistinguishable from a torn write.
  std::string bad = full;
  bad[offsets[2] + 15] ^= 0x40;
  write_file(seg, bad);
  expect_exact(read_all(tmp.path(), &scan), kept, 1);
  EXPECT_TRUE(scan.torn_tail);
  EXPECT_EQ(scan.torn_offset, offsets[2]);
  EXPECT_NE(scan.torn_reason.find("checksum"), std::string::npos) << scan.torn_reason;
  // Zeros after the last record, as some file systems leave after a crash.
  write_file(seg, full + std::string(4096, '\0'));
  expect_exact(read_all(tmp.path(), &scan, true), want, 1);
  EXPECT_TRUE(scan.torn_tail);
  EXPECT_TRUE(scan.repaired);
  EXPECT_EQ(scan.torn_offset, full.size());
  EXPECT_EQ(read_file(seg), full);
}

TEST(Wal, FlippedByteInTheMiddleRecordIsCorruption) {
  testing::TempDir tmp;
  std::vector<std::string> want;
  const std::vector<uint64_t> offsets = write_wal(tmp.path(), {30, 30, 30}, &want);
  const fs::path seg = tmp.path() / wal_segment_name(1);
  const std::string full = read_file(seg);
  // Every byte of record 2: length, LSN, payload and checksum.
  for (uint64_t at = offsets[1]; at < offsets[2]; ++at) {
    SCOPED_TRACE("byte " + std::to_string(at));
    std::string bad = full;
    bad[at] = static_cast<char>(bad[at] ^ 0x01);
    write_file(seg, bad);
    const std::vector<std::string> parts = {seg.string(),
                                            "byte offset " + std::to_string(offsets[1])};
    expect_error([&] { read_all(tmp.path()); }, StatusCode::kBadInput, parts);
    expect_error([&] { read_all(tmp.path(), nullptr, true); }, StatusCode::kBadInput, parts);
    expect_error([&] { WalWriter w(options(tmp.path())); }, StatusCode::kBadInput, parts);
    EXPECT_EQ(read_file(seg), bad);  // repair never cuts good records away
  }
  write_file(seg, full);
  expect_exact(read_all(tmp.path()), want, 1);
}

TEST(Wal, DamageInAnEarlierSegmentIsCorruption) {
  testing::TempDir tmp;
  {
    WalWriter w(options(tmp.path(), 100));
    for (uint64_t i = 1; i <= 6; ++i) w.append(payload_for(i, 50));
  }
  const std::vector<fs::path> segs = scan_wal(tmp.path(), false).segments;
  ASSERT_EQ(segs.size(), 6u);
  // The tail of segment 2 is torn: only the last segment may be.
  const std::string seg2 = read_file(segs[1]);
  write_file(segs[1], seg2.substr(0, seg2.size() - 3));
  expect_error([&] { scan_wal(tmp.path(), true); }, StatusCode::kBadInput,
               {segs[1].string(), "byte offset 32"});
  write_file(segs[1], seg2);
  // A bad header.
  std::string bad = seg2;
  bad[17] ^= 0x10;
  write_file(segs[1], bad);
  expect_error([&] { scan_wal(tmp.path(), false); }, StatusCode::kBadInput,
               {segs[1].string(), "byte offset 24", "header checksum"});
  bad = seg2;
  bad[0] = 'X';
  write_file(segs[1], bad);
  expect_error([&] { scan_wal(tmp.path(), false); }, StatusCode::kBadInput,
               {segs[1].string(), "byte offset 0", "magic"});
  write_file(segs[1], seg2);
  EXPECT_EQ(scan_wal(tmp.path(), false).records, 6u);
}

TEST(Wal, MissingOrMisnamedMiddleSegmentIsCorruption) {
  testing::TempDir tmp;
  {
    WalWriter w(options(tmp.path(), 100));
    for (uint64_t i = 1; i <= 5; ++i) w.append(payload_for(i, 50));
  }
  const std::vector<fs::path> segs = scan_wal(tmp.path(), false).segments;
  ASSERT_EQ(segs.size(), 5u);
  const fs::path aside = tmp.path() / "aside";
  fs::rename(segs[2], aside);
  expect_error([&] { scan_wal(tmp.path(), false); }, StatusCode::kBadInput,
               {segs[3].string(), "byte offset 16", "missing"});
  expect_error([&] { WalWriter w(options(tmp.path(), 100)); }, StatusCode::kBadInput,
               {segs[3].string()});
  fs::rename(aside, segs[2]);
  EXPECT_EQ(scan_wal(tmp.path(), false).records, 5u);
  // A segment whose name disagrees with its header.
  const fs::path misnamed = tmp.path() / wal_segment_name(0);
  fs::rename(segs[0], misnamed);
  expect_error([&] { scan_wal(tmp.path(), false); }, StatusCode::kBadInput,
               {misnamed.string(), "byte offset 16", "file name"});
  fs::rename(misnamed, segs[0]);
  EXPECT_EQ(scan_wal(tmp.path(), false).records, 5u);
  // Losing the oldest segments is what truncate_before does: not an error.
  fs::remove(segs[0]);
  fs::remove(segs[1]);
  WalScan scan;
  const Records got = read_all(tmp.path(), &scan);
  EXPECT_EQ(scan.first_lsn, 3u);
  EXPECT_EQ(got.size(), 3u);
}

TEST(Wal, EnospcMidAppendLeavesARecoverableWal) {
  testing::TempDir tmp;
  TestIo io;
  std::vector<std::string> want;
  {
    WalWriter w(options(tmp.path(), 100 << 20, FsyncPolicy::kPerBatch, &io));
    for (int i = 0; i < 20; ++i) {
      want.push_back(payload_for(want.size() + 1, 100));
      w.append(want.back());
    }
    w.sync();
    EXPECT_EQ(w.durable_lsn(), 20u);
    // The next write puts half of its bytes on disk, then the disk is full.
    io.fail_on_write = io.writes + 1;
    for (int i = 0; i < 9; ++i) {  // 9 x 120 bytes: half of them ends mid-record
      want.push_back(payload_for(want.size() + 1, 100));
      w.append(want.back());
    }
    expect_error([&] { w.sync(); }, StatusCode::kIo,
                 {"No space left on device", wal_segment_name(1)});
    EXPECT_EQ(w.durable_lsn(), 20u);
    expect_error([&] { w.append("more"); }, StatusCode::kIo, {"unusable", "No space left"});
    expect_error([&] { w.sync(); }, StatusCode::kIo, {"unusable"});
    EXPECT_NO_THROW(w.close());  // only releases: the failure was already reported
  }
  // Everything synced survives; of the rest, some complete records made it, then a torn tail.
  WalScan scan;
  Records got = read_all(tmp.path(), &scan);
  ASSERT_GE(got.size(), 20u);
  ASSERT_LT(got.size(), 29u);
  expect_exact(got, std::vector<std::string>(want.begin(), want.begin() + got.size()), 1);
  EXPECT_TRUE(scan.torn_tail);
  // A new writer (disk freed) cuts the tail and continues.
  io.fail_on_write = 0;
  {
    WalWriter w(options(tmp.path(), 100 << 20, FsyncPolicy::kPerBatch, &io));
    EXPECT_EQ(w.next_lsn(), got.size() + 1);
    want.resize(got.size());
    want.push_back("after");
    w.append("after");
  }
  expect_exact(read_all(tmp.path(), &scan), want, 1);
  EXPECT_FALSE(scan.torn_tail);
}

TEST(Wal, EnospcWhileAppendBuffersALargeRecord) {
  testing::TempDir tmp;
  TestIo io;
  WalWriter w(options(tmp.path(), 100 << 20, FsyncPolicy::kPerBatch, &io));
  w.append("a");
  w.sync();
  io.fail_on_write = io.writes + 1;
  // Passing the 1 MiB buffer makes append() itself write, and fail.
  expect_error([&] { w.append(std::string(2 << 20, 'x')); }, StatusCode::kIo,
               {"No space left on device"});
  expect_error([&] { w.append("b"); }, StatusCode::kIo, {"unusable"});
  w.close();
  WalScan scan;
  const Records got = read_all(tmp.path(), &scan, true);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].second, "a");
  EXPECT_TRUE(scan.repaired);
}

TEST(Wal, EnospcMidRotationLeavesARecoverableWal) {
  testing::TempDir tmp;
  TestIo io;
  std::vector<std::string> want;
  {
    WalWriter w(options(tmp.path(), 400, FsyncPolicy::kNever, &io));
    for (int i = 0; i < 5; ++i) {  // 5 x 120 bytes: one rotation
      want.push_back(payload_for(want.size() + 1, 100));
      w.append(want.back());
    }
    ASSERT_EQ(w.segments().size(), 2u);
    io.fail_temp_writes = true;  // the next segment's header cannot be written
    want.push_back(payload_for(want.size() + 1, 100));
    w.append(want.back());           // fills the second segment to 392 bytes
    EXPECT_EQ(w.durable_lsn(), 3u);  // the first segment, fsynced when it rotated
    expect_error([&] { w.append("x"); }, StatusCode::kIo,
                 {"No space left on device", wal_segment_name(7) + ".tmp"});
    // Rotation wrote and fsynced the full segment before it failed to start the next.
    EXPECT_EQ(w.durable_lsn(), 6u);
    expect_error([&] { w.append("y"); }, StatusCode::kIo, {"unusable"});
  }
  EXPECT_TRUE(fs::exists(tmp.path() / (wal_segment_name(7) + ".tmp")));
  WalScan scan;
  expect_exact(read_all(tmp.path(), &scan), want, 1);
  EXPECT_FALSE(scan.torn_tail);
  EXPECT_EQ(scan.next_lsn, 7u);
  io.fail_temp_writes = false;
  {
    WalWriter w(options(tmp.path(), 400, FsyncPolicy::kNever, &io));
    EXPECT_FALSE(fs::exists(tmp.path() / (wal_segment_name(7) + ".tmp")));
    want.push_back("after");
    EXPECT_EQ(w.append(want.back()), 7u);
  }
  expect_exact(read_all(tmp.path(), &scan), want, 1);
}

TEST(Wal, FailedFsyncMakesTheWriterUnusable) {
  testing::TempDir tmp;
  TestIo io;
  WalWriter w(options(tmp.path(), 100 << 20, FsyncPolicy::kPerBatch, &io));
  w.append("a");
  io.fail_fsync = true;
  expect_error([&] { w.sync(); }, StatusCode::kIo, {"fsync", "Input/output error"});
  EXPECT_EQ(w.durable_lsn(), 0u);
  io.fail_fsync = false;
  expect_error([&] { w.append("b"); }, StatusCode::kIo, {"unusable"});
}

TEST(Wal, FsyncPolicies) {
  const auto run = [](FsyncPolicy policy, int64_t interval_ms, int64_t* at_open, int64_t* at_syncs,
                      int64_t* at_close, int64_t* writes) {
    testing::TempDir tmp;
    TestIo io;
    WalOptions o = options(tmp.path(), 100 << 20, policy, &io);
    o.fsync_interval_ms = interval_ms;
    WalWriter w(o);
    *at_open = io.fsyncs;
    const int64_t writes_at_open = io.writes;
    for (int i = 0; i < 5; ++i) {
      w.append("record");
      w.sync();
      w.sync();  // nothing new: never an fsync
    }
    *at_syncs = io.fsyncs - *at_open;
    *writes = io.writes - writes_at_open;
    // Whatever the policy, sync() handed the records to the kernel: another reader sees them.
    EXPECT_EQ(scan_wal(tmp.path(), false).records, 5u);
    w.close();
    *at_close = io.fsyncs - *at_open - *at_syncs;
  };
  int64_t at_open = 0, syncs = 0, at_close = 0, writes = 0;
  run(FsyncPolicy::kPerBatch, 200, &at_open, &syncs, &at_close, &writes);
  EXPECT_EQ(at_open, 1);  // the new segment
  EXPECT_EQ(syncs, 5);
  EXPECT_EQ(at_close, 0);
  EXPECT_EQ(writes, 5);
  run(FsyncPolicy::kNever, 200, &at_open, &syncs, &at_close, &writes);
  EXPECT_EQ(syncs, 0);
  EXPECT_EQ(at_close, 1);
  EXPECT_EQ(writes, 5);
  run(FsyncPolicy::kInterval, 3'600'000, &at_open, &syncs, &at_close, &writes);
  EXPECT_EQ(syncs, 0);
  EXPECT_EQ(at_close, 1);
  EXPECT_EQ(writes, 5);
  run(FsyncPolicy::kInterval, 0, &at_open, &syncs, &at_close, &writes);
  EXPECT_EQ(syncs, 5);
  EXPECT_EQ(at_close, 0);

  // Rotation fsyncs the full segment and the new one, whatever the policy; reopening fsyncs once.
  testing::TempDir tmp;
  TestIo io;
  {
    WalWriter w(options(tmp.path(), 100, FsyncPolicy::kNever, &io));
    EXPECT_EQ(io.fsyncs, 1);
    for (int i = 0; i < 4; ++i) w.append(std::string(50, 'r'));  // 70 bytes each: 3 rotations
    EXPECT_EQ(io.fsyncs, 7);
    EXPECT_EQ(w.durable_lsn(), 3u);
  }
  EXPECT_EQ(io.fsyncs, 8);
  WalWriter w(options(tmp.path(), 100, FsyncPolicy::kNever, &io));
  EXPECT_EQ(io.fsyncs, 9);
  EXPECT_EQ(w.durable_lsn(), 4u);
}

TEST(Wal, EmptyAndMultiMegabytePayloads) {
  testing::TempDir tmp;
  std::vector<std::string> want = {"", payload_for(2, 3 << 20),       "",
                                   "", payload_for(5, 9 << 20),       payload_for(6, 1),
                                   "", payload_for(8, (1 << 20) - 20)};
  {
    WalWriter w(options(tmp.path(), 4 << 20));
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(w.append(want[i]), i + 1);
      if (i == 3) w.sync();
    }
  }
  WalScan scan;
  expect_exact(read_all(tmp.path(), &scan), want, 1);
  // The 9 MiB record got a segment of its own; the others packed into 4 MiB segments.
  EXPECT_EQ(scan.segments.size(), 3u);
  EXPECT_EQ(fs::file_size(scan.segments[1]), kWalHeaderBytes + kWalRecordOverhead + (9 << 20));
  // A torn multi-megabyte last record is cut like a small one.
  const fs::path last = scan.segments.back();
  fs::resize_file(last, fs::file_size(last) - 1);
  want.pop_back();
  expect_exact(read_all(tmp.path(), &scan, true), want, 1);
  EXPECT_TRUE(scan.repaired);
}

TEST(Wal, OneWriterPerDirectory) {
  testing::TempDir tmp;
  WalWriter w(options(tmp.path()));
  w.append("a");
  w.sync();
  expect_error([&] { WalWriter other(options(tmp.path())); }, StatusCode::kIo, {"locked"});
  expect_error([&] { scan_wal(tmp.path(), true); }, StatusCode::kIo, {"locked"});
  EXPECT_EQ(scan_wal(tmp.path(), false).records, 1u);
  w.close();
  expect_error([&] { w.append("b"); }, StatusCode::kInternal, {"closed"});
  WalWriter after(options(tmp.path()));
  EXPECT_EQ(after.next_lsn(), 2u);
}

TEST(Wal, IoErrorsNameThePath) {
  testing::TempDir tmp;
  const fs::path file = tmp.path() / "not_a_dir";
  write_file(file, "x");
  expect_error([&] { WalWriter w(options(file / "wal")); }, StatusCode::kIo, {file.string()});
  // Random payload bytes round-trip exactly, including ones that look like record headers.
  std::mt19937_64 rng(7);
  std::vector<std::string> want;
  {
    WalWriter w(options(tmp.path() / "wal", 1000));
    for (int i = 0; i < 200; ++i) {
      std::string p(rng() % 300, '\0');
      for (char& c : p) c = static_cast<char>(rng());
      want.push_back(p);
      w.append(p);
    }
  }
  expect_exact(read_all(tmp.path() / "wal"), want, 1);
}

}  // namespace
}  // namespace rlx::durability
