#include "rlx/io/line_reader.h"

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <fstream>
#include <string>
#include <vector>

#include "rlx/core/binary_io.h"
#include "rlx/core/error.h"
#include "rlx/testing/compress.h"
#include "rlx/testing/test_data.h"

namespace rlx::io {
namespace {

namespace fs = std::filesystem;

using testing::gzip_bytes;
using testing::zstd_bytes;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void spit(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::vector<std::string> read_all(const fs::path& path, const LineReaderOptions& options = {}) {
  LineReader reader(path.string(), options);
  std::vector<std::string> lines;
  std::string_view line;
  while (reader.next(&line)) {
    lines.emplace_back(line);
    EXPECT_EQ(reader.line_number(), lines.size());
  }
  return lines;
}

// Text that exercises the edges: CRLF, empty lines, a line longer than the small buffers below,
// and a last line without '\n'.
std::string edge_text() {
  std::string text = "first\r\n\nthird line\n";
  text += std::string(20000, 'x') + "\n";
  for (int i = 0; i < 5000; ++i) text += "row " + std::to_string(i) + "\n";
  text += "last without newline";
  return text;
}

std::vector<std::string> edge_lines() {
  std::vector<std::string> lines = {"first", "", "third line", std::string(20000, 'x')};
  for (int i = 0; i < 5000; ++i) lines.push_back("row " + std::to_string(i));
  lines.push_back("last without newline");
  return lines;
}

TEST(LineReader, PlainGzipAndZstdGiveTheSameLines) {
  testing::TempDir dir;
  const std::string text = edge_text();
  spit(dir.path() / "a.txt", text);
  spit(dir.path() / "a.gz", gzip_bytes(text));
  spit(dir.path() / "a.zst", zstd_bytes(text));
  LineReaderOptions small;  // tiny buffers: every refill, compaction and growth path runs
  small.read_buffer_bytes = 4096;
  small.text_buffer_bytes = 4096;
  for (const char* name : {"a.txt", "a.gz", "a.zst"}) {
    SCOPED_TRACE(name);
    EXPECT_EQ(read_all(dir.path() / name), edge_lines());
    EXPECT_EQ(read_all(dir.path() / name, small), edge_lines());
  }
  EXPECT_EQ(LineReader((dir.path() / "a.txt").string()).compression(), Compression::kNone);
  EXPECT_EQ(LineReader((dir.path() / "a.gz").string()).compression(), Compression::kGzip);
  EXPECT_EQ(LineReader((dir.path() / "a.zst").string()).compression(), Compression::kZstd);
}

TEST(LineReader, EmptyFilesAndConcatenatedMembers) {
  testing::TempDir dir;
  spit(dir.path() / "empty.txt", "");
  EXPECT_TRUE(read_all(dir.path() / "empty.txt").empty());
  spit(dir.path() / "two.gz", gzip_bytes("a\nb\n") + gzip_bytes("c\n"));
  EXPECT_EQ(read_all(dir.path() / "two.gz"), (std::vector<std::string>{"a", "b", "c"}));
  spit(dir.path() / "two.zst", zstd_bytes("a\nb") + zstd_bytes("\nc\n"));
  EXPECT_EQ(read_all(dir.path() / "two.zst"), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(LineReader, ReadsARealCaptureCompletely) {
  RLX_REQUIRE_DATA(path, "binance/hftbacktest/usdm_btcusdt_20240808.gz");
  LineReader reader(path.string());
  std::string_view line;
  uint64_t newlines_and_bytes = 0;
  while (reader.next(&line)) newlines_and_bytes += line.size() + 1;
  // `zcat usdm_btcusdt_20240808.gz | wc -l -c` -> 93954 27757550
  EXPECT_EQ(reader.line_number(), 93954u);
  EXPECT_EQ(reader.text_bytes(), 27757550u);
  EXPECT_EQ(newlines_and_bytes, 27757550u);
}

void expect_bad_input(const fs::path& path, const std::string& needle) {
  try {
    LineReader reader(path.string());
    std::string_view line;
    while (reader.next(&line)) {
    }
    FAIL() << "expected rlx::Error for " << path;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), StatusCode::kBadInput);
    const std::string what = e.what();
    EXPECT_NE(what.find(path.string() + ":"), std::string::npos) << what;
    EXPECT_NE(what.find(needle), std::string::npos) << what;
    EXPECT_EQ(e.where().file, path.string());
    EXPECT_GT(e.where().row, 0u);
  }
}

TEST(LineReader, TruncatedGzipNamesFileAndLine) {
  RLX_REQUIRE_DATA(real, "binance/hftbacktest/usdm_btcusdt_20240718.gz");
  testing::TempDir dir;
  const std::string bytes = slurp(real);
  const fs::path half = dir.path() / "half.gz";
  spit(half, bytes.substr(0, bytes.size() / 2));
  expect_bad_input(half, "truncated gzip stream");
  try {
    LineReader reader(half.string());
    std::string_view line;
    while (reader.next(&line)) {
    }
  } catch (const Error& e) {
    EXPECT_GT(e.where().row, 1000u);  // about half of the 11414 lines were read first
    EXPECT_LT(e.where().row, 11414u);
  }
}

TEST(LineReader, CorruptGzipIsBadInput) {
  RLX_REQUIRE_DATA(real, "binance/hftbacktest/usdm_btcusdt_20240718.gz");
  testing::TempDir dir;
  std::string bytes = slurp(real);
  for (size_t i = bytes.size() / 3; i < bytes.size() / 3 + 64; ++i) bytes[i] = '\xff';
  spit(dir.path() / "corrupt.gz", bytes);
  expect_bad_input(dir.path() / "corrupt.gz", "gzip stream");
}

TEST(LineReader, TruncatedAndCorruptZstdAreBadInput) {
  testing::TempDir dir;
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "line number " + std::to_string(i * 7919) + "\n";
  const std::string z = zstd_bytes(text);
  spit(dir.path() / "half.zst", z.substr(0, z.size() / 2));
  expect_bad_input(dir.path() / "half.zst", "truncated zstd stream");
  std::string corrupt = z;
  for (size_t i = 20; i < 40; ++i) corrupt[i] = '\x5a';
  spit(dir.path() / "corrupt.zst", corrupt);
  expect_bad_input(dir.path() / "corrupt.zst", "zstd stream");
}

TEST(LineReader, MissingFileAndOverlongLineAreBadInput) {
  testing::TempDir dir;
  try {
    LineReader reader((dir.path() / "nope.gz").string());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), StatusCode::kBadInput);
    EXPECT_NE(std::string(e.what()).find("nope.gz"), std::string::npos);
  }
  spit(dir.path() / "long.txt", "ok\n" + std::string(100000, 'y') + "\n");
  LineReaderOptions options;
  options.text_buffer_bytes = 4096;
  options.max_line_bytes = 50000;
  LineReader reader((dir.path() / "long.txt").string(), options);
  std::string_view line;
  ASSERT_TRUE(reader.next(&line));
  try {
    reader.next(&line);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), StatusCode::kBadInput);
    EXPECT_EQ(e.where().row, 2u);
    EXPECT_NE(std::string(e.what()).find("longer than 50000"), std::string::npos);
  }
}

// Marks every 9973 lines (taken, as the replayer does, before one more line is read), each
// through its bytes as a checkpoint keeps it; a fresh reader seeked to a mark reads exactly the
// rest of an uninterrupted read. Returns the text the seek to the last mark decoded.
uint64_t expect_seeks_resume(const fs::path& file, uint64_t interval) {
  LineReaderOptions options;
  options.restart_interval = interval;
  std::vector<std::string> lines;
  std::vector<std::pair<size_t, std::string>> marks;  // lines before it, its bytes
  {
    LineReader reader(file.string(), options);
    std::string_view line;
    for (;;) {
      const bool at_mark = lines.size() % 9973 == 0;
      const LineReader::Mark mark = reader.mark();
      if (!reader.next(&line)) break;
      lines.emplace_back(line);
      if (at_mark) {
        std::string bytes;
        BinaryWriter w(&bytes);
        reader.position(mark).save(w);
        marks.emplace_back(lines.size() - 1, bytes);
      }
    }
  }
  EXPECT_GT(marks.size(), 3u) << file;
  uint64_t last_cost = 0;
  for (const auto& [before, bytes] : marks) {
    BinaryReader r(bytes);
    const LinePosition position = LinePosition::load(r);
    LineReader reader(file.string(), options);
    reader.seek(position);
    last_cost = reader.decoded_bytes();
    EXPECT_EQ(reader.line_number(), before);
    std::string_view line;
    size_t i = before;
    while (reader.next(&line)) {
      if (i >= lines.size() || line != lines[i]) {
        ADD_FAILURE() << file << ": after a seek to line " << before << ", line " << i + 1
                      << " differs";
        return last_cost;
      }
      ++i;
    }
    EXPECT_EQ(i, lines.size()) << file << ": seek to line " << before;
  }
  return last_cost;
}

TEST(LineReader, SeeksToAMarkInPlainGzipAndZstdWithoutReadingFromTheStart) {
  RLX_REQUIRE_DATA(day, "binance/hftbacktest/usdm_btcusdt_20240808.gz");
  testing::TempDir dir;
  const std::string text = [&] {
    std::string all;
    for (const std::string& l : testing::gz_lines(day)) all += l + "\n";
    return all;
  }();
  ASSERT_GT(text.size(), 20u << 20);
  // The real capture as gzip (one member, as hftbacktest wrote it): a seek near its end decodes
  // about one restart interval and the text buffer, not the file.
  const uint64_t gzip_cost = expect_seeks_resume(day, 1 << 20);
  EXPECT_LT(gzip_cost, 3u << 20) << "of " << text.size() << " bytes of text";
  spit(dir.path() / "day.txt", text);
  EXPECT_LT(expect_seeks_resume(dir.path() / "day.txt", 1 << 20), 2u << 20);
  // Several gzip members and several zstd frames (rlx capture writes a frame per flush).
  std::string members, frames;
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find('\n', std::min(text.size() - 1, at + (3u << 20)));
    end = end == std::string::npos ? text.size() : end + 1;
    members += gzip_bytes(text.substr(at, end - at));
    frames += zstd_bytes(text.substr(at, end - at));
    at = end;
  }
  spit(dir.path() / "members.gz", members);
  spit(dir.path() / "frames.zst", frames);
  EXPECT_LT(expect_seeks_resume(dir.path() / "members.gz", 1 << 20), 6u << 20);
  EXPECT_LT(expect_seeks_resume(dir.path() / "frames.zst", 1 << 20), 6u << 20);
  // One zstd frame has no restart point but its start: still exact, decoded from the start.
  spit(dir.path() / "one.zst", zstd_bytes(text));
  expect_seeks_resume(dir.path() / "one.zst", 1 << 20);
}

}  // namespace
}  // namespace rlx::io
