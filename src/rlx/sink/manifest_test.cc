#include "rlx/sink/manifest.h"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <xxhash.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "rlx/core/error.h"
#include "rlx/core/json_writer.h"
#include "rlx/core/version.h"
#include "rlx/durability/durable_file.h"
#include "rlx/sink/parquet_sink.h"
#include "rlx/sink/thin_part.h"
#include "rlx/testing/files.h"
#include "rlx/testing/test_data.h"

namespace rlx::sink {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kT0 = 1'700'006'400'000'000'000;  // 2023-11-15 00:00:00 UTC
constexpr int64_t kDay = 86'400'000'000'000;

using ::rlx::testing::slurp;

std::vector<FileInfo> write_symbol(const fs::path& root, const std::string& symbol, int64_t rows,
                                   bool thin = false) {
  ParquetSinkOptions o;
  o.write_thin = thin;
  o.root = root;
  o.exchange = "binance";
  o.symbol = symbol;
  o.rows_per_file = 2500;
  ParquetSink sink(o);
  const std::vector<Level> bids = {Level{Decimal::from_int(100), Decimal::from_int(1)}};
  for (int64_t i = 0; i < rows; ++i) {
    Event e;
    e.event_seq = i;
    e.type = EventType::kBookDelta;
    e.origin_time = kT0 + (i < rows - 1 ? i : kDay);  // the last row on the next day
    e.side = Side::kBid;
    e.price = Decimal::from_int(100);
    e.size = Decimal::from_int(i);
    sink.append(e, bids, {});
  }
  sink.finish();
  return sink.files();
}

TEST(Manifest, ListsFilesWithChecksumsSortedAndTotals) {
  testing::TempDir dir;
  std::vector<FileInfo> files = write_symbol(dir.path(), "ETHUSDT", 6000);
  const std::vector<FileInfo> btc = write_symbol(dir.path(), "BTCUSDT", 3000);
  files.insert(files.end(), btc.begin(), btc.end());
  write_manifest(dir.path(), files);

  const std::string text = slurp(dir.path() / "manifest.json");
  EXPECT_EQ(text, manifest_json(files));
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(text);
  EXPECT_EQ(int64_t(doc["schema_version"]), kSchemaVersion);
  EXPECT_EQ(std::string_view(doc["rlx_version"]), kVersion);

  simdjson::dom::array listed = doc["files"];
  ASSERT_EQ(listed.size(), 7u);  // ETH: 2500+2500+999 on day 0, 1 on day 1; BTC: 2500+499, 1
  std::string previous;
  int64_t rows = 0;
  for (simdjson::dom::element f : listed) {
    const std::string path{std::string_view(f["path"])};
    EXPECT_LT(previous, path);
    previous = path;
    const std::string bytes = slurp(dir.path() / path);
    EXPECT_EQ(uint64_t(f["bytes"]), bytes.size()) << path;
    EXPECT_EQ(std::string_view(f["xxh3"]),
              durability::hex64(XXH3_64bits(bytes.data(), bytes.size())))
        << path;
    EXPECT_EQ(std::string_view(f["exchange"]), "binance");
    EXPECT_NE(path.find("date=" + std::string(std::string_view(f["date"]))), std::string::npos);
    EXPECT_LE(int64_t(f["first_event_seq"]), int64_t(f["last_event_seq"]));
    EXPECT_LE(int64_t(f["min_origin_time"]), int64_t(f["max_origin_time"]));
    rows += int64_t(f["rows"]);
  }
  EXPECT_EQ(rows, 9000);
  EXPECT_EQ(std::string_view(listed.at(0)["path"]),
            "exchange=binance/symbol=BTCUSDT/date=2023-11-15/part-00000.parquet");
  EXPECT_EQ(std::string_view(listed.at(6)["path"]),
            "exchange=binance/symbol=ETHUSDT/date=2023-11-16/part-00000.parquet");

  simdjson::dom::array totals = doc["totals"];
  ASSERT_EQ(totals.size(), 2u);
  EXPECT_EQ(std::string_view(totals.at(0)["symbol"]), "BTCUSDT");
  EXPECT_EQ(int64_t(totals.at(0)["rows"]), 3000);
  EXPECT_EQ(int64_t(totals.at(0)["files"]), 3);
  EXPECT_EQ(int64_t(totals.at(0)["first_event_seq"]), 0);
  EXPECT_EQ(int64_t(totals.at(0)["last_event_seq"]), 2999);
  EXPECT_EQ(int64_t(totals.at(0)["min_origin_time"]), kT0);
  EXPECT_EQ(int64_t(totals.at(0)["max_origin_time"]), kT0 + kDay);
  EXPECT_EQ(std::string_view(totals.at(1)["symbol"]), "ETHUSDT");
  EXPECT_EQ(int64_t(totals.at(1)["rows"]), 6000);
  EXPECT_EQ(int64_t(totals.at(1)["files"]), 4);
}

TEST(Manifest, OrderOfInputDoesNotMatter) {
  FileInfo a;
  a.path = "exchange=x/symbol=A/date=2024-01-01/part-00000.parquet";
  a.exchange = "x";
  a.symbol = "A";
  a.rows = 1;
  FileInfo b = a;
  b.path = "exchange=x/symbol=A/date=2024-01-01/part-00001.parquet";
  b.first_event_seq = b.last_event_seq = 1;
  b.min_origin_time = b.max_origin_time = 5;
  EXPECT_EQ(manifest_json({a, b}), manifest_json({b, a}));
  // A part whose rows had no origin_time records null.
  EXPECT_NE(manifest_json({a}).find("\"min_origin_time\": null"), std::string::npos);
}

TEST(Manifest, ReplacedAtomically) {
  testing::TempDir dir;
  FileInfo a;
  a.path = "p";
  a.exchange = "x";
  a.symbol = "A";
  write_manifest(dir.path(), {a});
  const std::string first = slurp(dir.path() / "manifest.json");
  a.rows = 42;
  write_manifest(dir.path(), {a});
  const std::string second = slurp(dir.path() / "manifest.json");
  EXPECT_NE(first, second);
  EXPECT_EQ(second, manifest_json({a}));
  // Only the final files remain: no temporary left beside them.
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir.path())) names.push_back(e.path().filename());
  EXPECT_EQ(names, std::vector<std::string>{"manifest.json"});

  // A stale temporary from a crash is simply replaced.
  std::ofstream(dir.path() / ".manifest.json.tmp") << "garbage";
  write_manifest(dir.path(), {a});
  EXPECT_FALSE(fs::exists(dir.path() / ".manifest.json.tmp"));
  EXPECT_EQ(slurp(dir.path() / "manifest.json"), second);
}

TEST(Manifest, WritesReport) {
  testing::TempDir dir;
  JsonWriter w(true);
  w.begin_object().key("rows").int64(7).key("ok").boolean(true).end_object();
  write_report(dir.path(), w.str());
  EXPECT_EQ(slurp(dir.path() / "report.json"), w.str() + "\n");
  EXPECT_FALSE(fs::exists(dir.path() / ".report.json.tmp"));
}

TEST(Manifest, MissingDirectoryIsAnIoError) {
  testing::TempDir dir;
  try {
    write_report(dir.path() / "missing", "{}");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), StatusCode::kIo);
    EXPECT_NE(std::string(e.what()).find("missing"), std::string::npos);
  }
}

}  // namespace
}  // namespace rlx::sink

namespace rlx::sink {
namespace {

TEST(Manifest, ReadsBackWhatItWroteAndVerifiesTheFiles) {
  testing::TempDir dir;
  EXPECT_TRUE(read_manifest(dir.path()).empty());
  const std::vector<FileInfo> files = write_symbol(dir.path(), "BTCUSDT", 6000);
  ASSERT_GE(files.size(), 3u);
  write_manifest(dir.path(), files);
  const std::vector<FileInfo> back = read_manifest(dir.path());
  ASSERT_EQ(back.size(), files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    EXPECT_EQ(back[i].path, files[i].path);
    EXPECT_EQ(back[i].rows, files[i].rows);
    EXPECT_EQ(back[i].first_event_seq, files[i].first_event_seq);
    EXPECT_EQ(back[i].last_event_seq, files[i].last_event_seq);
    EXPECT_EQ(back[i].min_origin_time, files[i].min_origin_time);
    EXPECT_EQ(back[i].max_origin_time, files[i].max_origin_time);
    EXPECT_EQ(back[i].bytes, files[i].bytes);
    EXPECT_EQ(back[i].xxh3, files[i].xxh3);
    EXPECT_EQ(back[i].date, files[i].date);
  }
  EXPECT_TRUE(verify_manifest(dir.path(), back).empty());
  fs::remove(dir.path() / back[0].path);
  {
    std::fstream f(dir.path() / back[1].path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    f.put('\x7f');
  }
  const auto problems = verify_manifest(dir.path(), back);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_NE(problems[0].find("missing"), std::string::npos);
  EXPECT_NE(problems[1].find("checksum"), std::string::npos);
  // Sizes only (a merge's default): the missing part, not the changed byte; a truncated part.
  EXPECT_EQ(verify_manifest(dir.path(), back, Verify::kPartSizes).size(), 1u);
  fs::resize_file(dir.path() / back[2].path, back[2].bytes - 1);
  const auto sizes = verify_manifest(dir.path(), back, Verify::kPartSizes);
  ASSERT_EQ(sizes.size(), 2u);
  EXPECT_NE(sizes[1].find("size differs"), std::string::npos);
  std::ofstream(dir.path() / kManifestName) << "{ not json";
  EXPECT_THROW(read_manifest(dir.path()), Error);
}

// Thin copies are listed with their size and hash beside their parts, read back, and verified
// on their own or with the parts.
TEST(Manifest, ListsAndVerifiesThinCopies) {
  testing::TempDir dir;
  const std::vector<FileInfo> files = write_symbol(dir.path(), "BTCUSDT", 6000, /*thin=*/true);
  ASSERT_GE(files.size(), 3u);
  write_manifest(dir.path(), files);
  const std::vector<FileInfo> back = read_manifest(dir.path());
  ASSERT_EQ(back.size(), files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    EXPECT_GT(back[i].thin_bytes, 0u);
    EXPECT_EQ(back[i].thin_bytes, fs::file_size(dir.path() / thin_path(back[i].path)));
    EXPECT_EQ(back[i].thin_xxh3, files[i].thin_xxh3);
  }
  EXPECT_NE(slurp(dir.path() / kManifestName).find("\"thin\""), std::string::npos);
  EXPECT_TRUE(verify_manifest(dir.path(), back).empty());
  fs::remove(dir.path() / thin_path(back[0].path));
  EXPECT_EQ(verify_manifest(dir.path(), back).size(), 1u);
  EXPECT_EQ(verify_manifest(dir.path(), back, Verify::kThinCopies).size(), 1u);
  EXPECT_TRUE(verify_manifest(dir.path(), back, Verify::kParts).empty());
  fs::remove(dir.path() / back[1].path);
  EXPECT_EQ(verify_manifest(dir.path(), back, Verify::kParts).size(), 1u);
  // Reading thin copies still needs the parts there (at their size; not hashed).
  EXPECT_EQ(verify_manifest(dir.path(), back, Verify::kThinCopies).size(), 2u);
  EXPECT_EQ(verify_manifest(dir.path(), back).size(), 2u);
  // Without thin copies, none is listed.
  testing::TempDir plain;
  write_manifest(plain.path(), write_symbol(plain.path(), "BTCUSDT", 3000));
  EXPECT_EQ(slurp(plain.path() / kManifestName).find("\"thin\""), std::string::npos);
  for (const FileInfo& f : read_manifest(plain.path())) EXPECT_EQ(f.thin_bytes, 0u);
}

// Workers commit concurrently: each replaces only its own symbol's entries, under the lock, so
// no commit is lost and the manifest is whole at the end.
TEST(Manifest, ConcurrentUpdatesOfDifferentSymbolsAreAllKept) {
  testing::TempDir tmp;
  constexpr int kWriters = 4;
  constexpr int kCommits = 25;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&tmp, w] {
      const std::pair<std::string, std::string> owner{"binance", "SYM" + std::to_string(w)};
      std::vector<FileInfo> files;
      for (int c = 0; c < kCommits; ++c) {
        FileInfo f;
        f.exchange = owner.first;
        f.symbol = owner.second;
        f.date = "2024-08-08";
        f.path = "exchange=binance/symbol=" + owner.second + "/part-" + std::to_string(c);
        f.rows = c + 1;
        files.push_back(f);
        update_manifest(tmp.path(), &owner, files);
      }
    });
  }
  for (std::thread& t : writers) t.join();
  const std::vector<FileInfo> all = read_manifest(tmp.path());
  EXPECT_EQ(all.size(), static_cast<size_t>(kWriters * kCommits));
  // Replacing one owner's entries with none leaves the others.
  const std::pair<std::string, std::string> gone{"binance", "SYM0"};
  update_manifest(tmp.path(), &gone, {});
  EXPECT_EQ(read_manifest(tmp.path()).size(), static_cast<size_t>((kWriters - 1) * kCommits));
}

}  // namespace
}  // namespace rlx::sink
