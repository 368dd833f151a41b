// `rlx sql`: a query through the embedded DuckDB, so users need no duckdb CLI to look at the
// output.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "rlx/cli/cli_options.h"
#include "rlx/cli/command.h"
#include "rlx/io/duckdb.h"
#include "rlx/pipeline/option_names.h"

namespace rlx::cli {
namespace {

void print_table(const io::TextTable& t, int64_t max_rows) {
  const std::vector<std::string>& header = t.columns;
  const std::vector<std::vector<std::string>>& rows = t.rows;
  const size_t cols = header.size();
  const uint64_t n = t.total_rows;
  std::vector<size_t> width(cols);
  for (size_t c = 0; c < cols; ++c) {
    width[c] = header[c].size();
    for (const auto& row : rows) width[c] = std::max(width[c], row[c].size());
  }
  auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t c = 0; c < cols; ++c) {
      line += fmt::format("{:<{}}", row[c], width[c]);
      if (c + 1 < cols) line += " | ";
    }
    std::puts(line.c_str());
  };
  print_row(header);
  std::string rule;
  for (size_t c = 0; c < cols; ++c)
    rule += std::string(width[c], '-') + (c + 1 < cols ? "-+-" : "");
  std::puts(rule.c_str());
  for (const auto& row : rows) print_row(row);
  if (static_cast<int64_t>(n) > max_rows)
    std::printf("(%llu rows, %lld shown)\n", static_cast<unsigned long long>(n),
                static_cast<long long>(max_rows));
}

// Prints the first rows of each statement's result through the embedded DuckDB (users need no
// duckdb CLI); a statement without rows (CREATE, COPY) prints its count line only.
void print_query(const std::string& sql, int64_t max_rows) {
  io::DuckDb db;
  const std::vector<io::TextTable> tables =
      io::query_texts(db, sql, static_cast<uint64_t>(max_rows), StatusCode::kInvalidArgument);
  for (size_t i = 0; i < tables.size(); ++i) {
    if (i > 0) std::puts("");
    print_table(tables[i], max_rows);
  }
}

class SqlCommand : public Command {
 public:
  // No common options: sql shows no progress and writes no logs.
  void add_to(CLI::App& parent, CommonOptions* /*common*/) override {
    app = parent.add_subcommand("sql",
                                "Run a SQL query with the embedded DuckDB (e.g. on the output)");
    app->add_option("query", sql_, "SQL text")->required();
    add_number(app, pipeline::kMaxRows, &max_rows_, "Rows to print per statement (0-10000000)");
  }

  int run(const CommonOptions& /*common*/) override {
    print_query(sql_, max_rows_);
    return 0;
  }

 private:
  std::string sql_;
  int64_t max_rows_ = 20;
};

}  // namespace

std::unique_ptr<Command> sql_command() { return std::make_unique<SqlCommand>(); }

}  // namespace rlx::cli
