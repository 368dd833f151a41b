#include "rlx/io/duckdb.h"

#include <gtest/gtest.h>

namespace rlx::io {
namespace {

TEST(DuckDb, RunsQueriesAndReportsErrorsWithTheSql) {
  DuckDb db;
  DuckResult r = db.query("SELECT 42::DECIMAL(38,18) AS x");
  EXPECT_EQ(r.column_name(0), "x");
  EXPECT_EQ(r.column_type(0), DUCKDB_TYPE_DECIMAL);
  try {
    db.execute("SELECT * FROM no_such_table", StatusCode::kBadInput);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), StatusCode::kBadInput);
    EXPECT_NE(std::string(e.what()).find("no_such_table"), std::string::npos);
  }
}

TEST(DuckDb, QuotesLiterals) { EXPECT_EQ(sql_quote("it's"), "'it''s'"); }

}  // namespace
}  // namespace rlx::io
