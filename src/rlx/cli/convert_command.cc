// `rlx convert`: a raw Binance capture as Crypto Lake tables (trades, book, book_delta_v2).
#include <cstdio>
#include <string>
#include <vector>

#include "rlx/cli/cli_options.h"
#include "rlx/cli/command.h"
#include "rlx/pipeline/convert.h"
#include "rlx/pipeline/option_names.h"

namespace rlx::cli {
namespace {

class ConvertCommand : public Command {
 public:
  void add_to(CLI::App& parent, CommonOptions* common) override {
    app =
        parent.add_subcommand("convert", "Convert a raw Binance capture to the Crypto Lake layout");
    app->add_option("--input", inputs_,
                    "Binance raw captures (hftbacktest, cryptofeed, golden sample)")
        ->required();
    app->add_option("--out", out_, "Lake root to write (trades/, book/, book_delta_v2/)")
        ->required();
    app->add_option("--symbols", co_.symbols, "Only these symbols (default: all)")->delimiter(',');
    add_number(app, pipeline::kSnapshotIntervalMs, &interval_ms_,
               "Interval of the top-20 `book` rows (1-86400000)");
    add_enum(app, "--on-bad-row", &co_.on_bad_row, pipeline::kBadRowNames, "fail or quarantine");
    common->add_to(app);
  }

  int run(const CommonOptions& common) override {
    for (const auto& in : inputs_) co_.inputs.emplace_back(in);
    co_.out_dir = out_;
    co_.snapshot_interval_ns = interval_ms_ * 1'000'000;
    co_.progress = common.progress;
    const pipeline::ConvertSummary s = pipeline::convert_to_lake(co_);
    std::printf(
        "rlx: %llu messages -> %llu trades, %llu book_delta_v2 rows, %llu book rows in %s\n",
        static_cast<unsigned long long>(s.messages), static_cast<unsigned long long>(s.trade_rows),
        static_cast<unsigned long long>(s.delta_rows), static_cast<unsigned long long>(s.book_rows),
        out_.c_str());
    if (s.quarantined > 0) {
      std::printf("rlx: %llu input rows set aside (unsupported streams or bad rows)\n",
                  static_cast<unsigned long long>(s.quarantined));
    }
    if (s.inexact_values > 0) {
      std::printf("rlx: %llu values could not be held exactly by Lake's float64 columns\n",
                  static_cast<unsigned long long>(s.inexact_values));
    }
    return 0;
  }

 private:
  pipeline::ConvertOptions co_;
  std::vector<std::string> inputs_;
  std::string out_;
  int64_t interval_ms_ = 100;
};

}  // namespace

std::unique_ptr<Command> convert_command() { return std::make_unique<ConvertCommand>(); }

}  // namespace rlx::cli
