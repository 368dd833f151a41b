#include "rlx/api/reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rlx/core/decimal.h"
#include "rlx/io/duckdb.h"
#include "rlx/pipeline/reconstruct.h"
#include "rlx/testing/test_data.h"

namespace rlx {
namespace {
namespace fs = std::filesystem;

// One real capture reconstructed into parts of 20,000 rows (several parts, two symbols' worth
// of code paths are the same), shared by the tests of this file.
class ReaderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const fs::path file =
        testing::shared_data_dir() / "binance/hftbacktest/usdm_btcusdt_20240718.gz";
    if (!fs::exists(file)) return;
    dir_ = new testing::TempDir();
    pipeline::ReconstructOptions o;
    o.inputs = {file};
    o.out_dir = dir_->path() / "out";
    o.rows_per_file = 20'000;
    o.progress = ProgressMode::kNever;
    pipeline::reconstruct(o);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    RLX_REQUIRE_DATA(file, "binance/hftbacktest/usdm_btcusdt_20240718.gz");
    ASSERT_NE(dir_, nullptr);
  }
  static fs::path out() { return dir_->path() / "out"; }

  static std::vector<ColumnBatch> read_all(const ReadOptions& options) {
    std::unique_ptr<OutputReader> reader;
    const Status s = OutputReader::open(out(), options, &reader);
    EXPECT_TRUE(s.ok()) << s.message();
    std::vector<ColumnBatch> batches;
    if (!s.ok()) return batches;
    while (true) {
      ColumnBatch b;
      const Status n = reader->next(&b);
      EXPECT_TRUE(n.ok()) << n.message();
      if (!n.ok() || b.rows == 0) break;
      batches.push_back(std::move(b));
    }
    return batches;
  }

  static testing::TempDir* dir_;
};
testing::TempDir* ReaderTest::dir_ = nullptr;

std::string text_of(const Column& c, size_t row) {
  if (c.is_null(row)) return "NULL";
  switch (c.type) {
    case ColumnType::kString:
      return std::string(c.string(row));
    case ColumnType::kInt64:
      return std::to_string(c.int64s[row]);
    case ColumnType::kUInt32:
      return std::to_string(c.uint32s[row]);
    case ColumnType::kBool:
      return c.bools[row] ? "true" : "false";
    case ColumnType::kDate:
      return std::to_string(c.dates[row]);
    case ColumnType::kDecimal:
      return Decimal::from_raw(c.decimals[row]).to_string();
  }
  return "?";
}

// Every row and column equals what DuckDB reads from the same files (decimals compared as
// exact values, dates as days since 1970), in output order.
TEST_F(ReaderTest, EveryValueEqualsDuckDbsRead) {
  ReadOptions o;
  o.batch_rows = 7'777;  // batches that straddle DuckDB's chunks and the parts
  const std::vector<ColumnBatch> batches = read_all(o);
  ASSERT_FALSE(batches.empty());
  io::DuckDb db;
  const std::vector<Column>& schema = batches.front().columns;
  std::string select;
  for (const Column& c : schema) {
    if (!select.empty()) select += ", ";
    if (c.type == ColumnType::kDecimal) {
      select += "rtrim(rtrim(" + c.name + "::VARCHAR, '0'), '.')";
    } else if (c.type == ColumnType::kDate) {
      select += "(" + c.name + " - DATE '1970-01-01')::VARCHAR";
    } else {
      select += c.name + "::VARCHAR";
    }
  }
  const io::TextTable want =
      io::query_text(db, "SELECT " + select + " FROM read_parquet('" + out().string() +
                             "/**/*.parquet', hive_partitioning=true) ORDER BY event_seq");
  ASSERT_GT(want.rows.size(), 60'000u);  // several parts
  size_t row = 0;
  for (const ColumnBatch& b : batches) {
    ASSERT_LE(b.rows, 7'777u);
    for (size_t r = 0; r < b.rows; ++r, ++row) {
      ASSERT_LT(row, want.rows.size());
      for (size_t c = 0; c < schema.size(); ++c) {
        std::string expect = want.rows[row][c];
        if (expect.empty() && schema[c].type == ColumnType::kDecimal) expect = "0";
        if (expect == "-0") expect = "0";
        ASSERT_EQ(text_of(b.columns[c], r), expect) << schema[c].name << " at output row " << row;
      }
    }
  }
  EXPECT_EQ(row, want.rows.size());
}

TEST_F(ReaderTest, ColumnsAndTimeRangeSelectRowsAndNameTheirFiles) {
  io::DuckDb db;
  const std::string glob = "read_parquet('" + out().string() + "/**/*.parquet')";
  const io::TextTable bounds = io::query_text(
      db, "SELECT quantile_disc(origin_time, 0.3), quantile_disc(origin_time, 0.6) FROM " + glob);
  ReadOptions o;
  o.columns = {"event_seq", "origin_time", "price"};
  o.start_ns = std::stoll(bounds.rows[0][0]);
  o.end_ns = std::stoll(bounds.rows[0][1]);
  const std::vector<ColumnBatch> batches = read_all(o);
  const io::TextTable want =
      io::query_text(db, "SELECT count(*), min(event_seq), max(event_seq) FROM " + glob +
                             " WHERE origin_time >= " + bounds.rows[0][0] + " AND origin_time < " +
                             bounds.rows[0][1]);
  uint64_t rows = 0;
  int64_t last_seq = -1;
  for (const ColumnBatch& b : batches) {
    ASSERT_EQ(b.columns.size(), 3u);
    EXPECT_EQ(b.columns[0].name, "event_seq");
    EXPECT_EQ(b.columns[2].type, ColumnType::kDecimal);
    for (size_t r = 0; r < b.rows; ++r) {
      const int64_t seq = b.columns[0].int64s[r];
      EXPECT_GT(seq, last_seq);
      last_seq = seq;
      if (rows == 0) {
        EXPECT_EQ(std::to_string(seq), want.rows[0][1]);
      }
      ++rows;
      // The file and row named for a value hold that value's event.
      const Location at = b.where(r, "price");
      EXPECT_EQ(at.field, "price");
      if (r % 5000 == 0) {
        const io::TextTable one = io::query_text(
            db,
            "SELECT event_seq FROM read_parquet('" + at.file +
                "', file_row_number=true) WHERE file_row_number = " + std::to_string(at.row - 1));
        EXPECT_EQ(one.rows.at(0).at(0), std::to_string(seq)) << at.file << ":" << at.row;
      }
    }
  }
  EXPECT_EQ(std::to_string(rows), want.rows[0][0]);
  EXPECT_EQ(std::to_string(last_seq), want.rows[0][2]);
}

TEST_F(ReaderTest, BadRequestsAreInvalidArgumentsNamingWhatIsWrong) {
  std::unique_ptr<OutputReader> reader;
  ReadOptions o;
  o.symbols = {"ETHUSDT"};
  Status s = OutputReader::open(out(), o, &reader);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'ETHUSDT'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("BTCUSDT"), std::string::npos) << s.message();
  o = ReadOptions();
  o.columns = {"price", "no_such_column"};
  s = OutputReader::open(out(), o, &reader);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'no_such_column'"), std::string::npos) << s.message();
  s = OutputReader::open(out() / "nowhere", ReadOptions(), &reader);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("manifest.json"), std::string::npos) << s.message();
}

TEST_F(ReaderTest, ATruncatedPartIsBadInputNamingIt) {
  // A copy of the output with its second part cut in half.
  const fs::path copy = dir_->path() / "damaged";
  fs::remove_all(copy);
  fs::copy(out(), copy, fs::copy_options::recursive);
  std::vector<fs::path> parts;
  for (const auto& e : fs::recursive_directory_iterator(copy)) {
    if (e.path().extension() == ".parquet") parts.push_back(e.path());
  }
  std::sort(parts.begin(), parts.end());
  ASSERT_GE(parts.size(), 2u);
  fs::resize_file(parts[1], fs::file_size(parts[1]) / 2);
  std::unique_ptr<OutputReader> reader;
  ASSERT_TRUE(OutputReader::open(copy, ReadOptions(), &reader).ok());
  Status s;
  ColumnBatch b;
  while ((s = reader->next(&b)).ok() && b.rows > 0) {
  }
  EXPECT_EQ(s.code(), StatusCode::kBadInput);
  EXPECT_NE(s.message().find(parts[1].filename().string()), std::string::npos) << s.message();
}

}  // namespace
}  // namespace rlx
