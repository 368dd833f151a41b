// The hostile-input suite: inputs of every reader, options of every command, output locations
// and concurrent use, each run through the real binary with a deadline, as a user or a script
// would meet them. Every case asserts its documented exit code (docs/CLI.md, "Exit codes") and
// the words of its message; none may end in exit 1 (internal error), a signal or a timeout.
// Inputs are the real captures in ../shared/data with one thing broken.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "rlx/durability/durable_file.h"
#include "rlx/testing/compress.h"
#include "rlx/testing/files.h"
#include "rlx/testing/process.h"
#include "rlx/testing/test_data.h"

namespace rlx::cli {
namespace {
namespace fs = std::filesystem;

struct Outcome {
  int code = -1;  // exit code, or 128 + signal
  bool timed_out = false;
  std::string out;
  std::string err;
};

using ::rlx::testing::slurp;

void write_text(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size()) {
    s.replace(at, from.size(), to);
  }
  return s;
}

// Runs `rlx args...` in `cwd`, stdout and stderr captured, killed after `seconds`.
Outcome run_rlx(const std::vector<std::string>& args, const fs::path& cwd, double seconds = 120) {
  std::vector<std::string> argv = {RLX_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  const fs::path out = cwd / ".stdout", err = cwd / ".stderr";
  const fs::path here = fs::current_path();
  fs::current_path(cwd);
  const pid_t pid = ::rlx::testing::spawn_process(argv, err, out);
  fs::current_path(here);
  Outcome o;
  o.timed_out = ::rlx::testing::kill_after(pid, seconds, &o.code);
  o.out = slurp(out);
  o.err = slurp(err);
  return o;
}

// The inputs, each made on first use from the real captures, in one folder per test process.
class Inputs {
 public:
  static Inputs& get() {
    static Inputs inputs;
    return inputs;
  }
  const fs::path& root() const { return root_; }

  fs::path operator()(const std::string& name) {
    const fs::path path = root_ / "inputs" / name;
    if (!fs::exists(path)) make(name, path);
    return path;
  }

 private:
  Inputs() {
    root_ = fs::temp_directory_path() / ("rlx_hostile_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  ~Inputs() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  static fs::path data(const std::string& relative) {
    return ::rlx::testing::shared_data_dir() / relative;
  }

  // The small USD-M capture's first lines (its REST snapshot is past them: the book never
  // syncs, which these cases do not need).
  std::string tiny_text() {
    std::string text;
    for (const std::string& l :
         ::rlx::testing::gz_lines(data("binance/hftbacktest/usdm_btcusdt_20240718.gz"), 400))
      text += l + "\n";
    return text;
  }

  fs::path rlx_convert(const fs::path& capture, const fs::path& lake) {
    const Outcome o =
        run_rlx({"convert", "--input", capture.string(), "--out", lake.string()}, root_);
    if (o.code != 0) throw std::runtime_error("rlx convert failed: " + o.err);
    return lake;
  }

  void make(const std::string& name, const fs::path& path) {
    const std::string tardis = "tardis/binance-futures_book_snapshot_5_BTCUSDT.csv";
    if (name == "tiny.txt") {
      write_text(path, tiny_text());
    } else if (name.rfind("symbol_", 0) == 0) {  // symbol_<json-escaped symbol>.txt
      const std::string symbol = name.substr(7, name.size() - 11);
      write_text(path, replace_all(tiny_text(), "\"s\":\"BTCUSDT\"", "\"s\":\"" + symbol + "\""));
    } else if (name == "multi_bad_symbol") {  // 4 USD-M symbols, one of them renamed SU/SHI
      const fs::path ws = data("binance/cryptofeed/BINANCE_FUTURES.ws.1.0");
      fs::create_directories(path);
      write_text(path / "BINANCE_FUTURES.ws.1.0",
                 replace_all(slurp(ws), "\"s\":\"SUSHIUSDT\"", "\"s\":\"SU/SHI\""));
      fs::copy_file(data("binance/cryptofeed/BINANCE_FUTURES.http.0.0"),
                    path / "BINANCE_FUTURES.http.0.0");
    } else if (name == "truncated.gz") {
      const std::string whole = slurp(data("binance/hftbacktest/usdm_btcusdt_20240718.gz"));
      write_text(path, whole.substr(0, 20000));
    } else if (name == "garbage.bin") {
      write_text(path, slurp(RLX_BINARY).substr(0, 4096));
    } else if (name == "bad_json.txt") {  // line 5 cut short
      std::istringstream in(tiny_text());
      std::string text, line;
      for (int n = 1; std::getline(in, line); ++n)
        text += (n == 5 ? line.substr(0, 60) : line) + "\n";
      write_text(path, text);
    } else if (name.rfind("tardis_", 0) == 0) {
      // tardis_<what>.csv: the snapshot file with its 3rd line (2nd data row) broken.
      std::istringstream in(slurp(data(tardis)));
      std::string text, line;
      for (int n = 1; std::getline(in, line); ++n) {
        if (name == "tardis_no_timestamp.csv") {  // the column dropped from every line
          const size_t a = line.find(',', line.find(',') + 1);
          line.erase(a, line.find(',', a + 1) - a);
        } else if (n == 3 && name == "tardis_symbol.csv") {
          line = replace_all(line, "binance-futures,BTCUSDT,", "binance-futures,../x,");
        } else if (n == 3 && name == "tardis_exchange.csv") {
          line = replace_all(line, "binance-futures,BTCUSDT,", "a/b,BTCUSDT,");
        } else if (n == 3 && name == "tardis_nan.csv") {
          size_t at = 0;
          for (int c = 0; c < 4; ++c) at = line.find(',', at) + 1;
          line.replace(at, line.find(',', at) - at, "nan");
        }
        text += line + "\n";
      }
      write_text(path, text);
    } else if (name == "lake") {
      rlx_convert((*this)("tiny.txt"), path);
    } else if (name == "lake_bad_symbol") {  // the Lake plus a copy of its symbol as "A B"
      fs::copy((*this)("lake"), path, fs::copy_options::recursive);
      for (const char* table : {"trades", "book_delta_v2", "book"}) {
        const fs::path ex = path / table / "exchange=binance-futures";
        if (fs::exists(ex / "symbol=BTCUSDT")) {
          fs::copy(ex / "symbol=BTCUSDT", ex / "symbol=A B", fs::copy_options::recursive);
        }
      }
    } else if (name == "lake_corrupt") {  // one Parquet file cut short
      fs::copy((*this)("lake"), path, fs::copy_options::recursive);
      for (const auto& e : fs::recursive_directory_iterator(path / "trades")) {
        if (e.path().extension() != ".parquet") continue;
        fs::resize_file(e.path(), 300);
        break;
      }
    } else if (name == "empty_folder") {
      fs::create_directories(path);
    } else if (name == "a_file") {
      write_text(path, "not a folder\n");
    } else if (name == "foreign_folder") {
      write_text(path / "notes.txt", "a user's own file\n");
    } else if (name == "tiny_symlink.txt") {
      fs::create_symlink((*this)("tiny.txt"), path);
    } else if (name == "tiny_hardlink.txt") {
      fs::create_hard_link((*this)("tiny.txt"), path);
    } else if (name == "earlier_output") {  // a finished run's output, to survive refusals
      const Outcome o = run_rlx({"reconstruct", "--input", (*this)("tiny.txt").string(), "--out",
                                 path.string(), "--in-process"},
                                root_);
      if (o.code != 0) throw std::runtime_error("rlx reconstruct failed: " + o.err);
    } else if (name == "out_holding_input") {  // an earlier output folder with an input in it
      fs::create_directories(path);
      fs::copy_file((*this)("tiny.txt"), path / "tiny.txt");
    } else {
      throw std::runtime_error("no input named " + name);
    }
  }

  fs::path root_;
};

// One case: `args` with {in:NAME} (an input above), {out} (a fresh folder per case, not created)
// and {dir} (the case's own folder) filled in.
struct Case {
  std::string name;
  std::vector<std::string> args;
  int code;
  std::string message;    // a regular expression searched in stderr
  bool lock_out = false;  // the case runs while another process holds {out}'s run lock
  std::string kept;       // a path that must still exist afterwards (an earlier output's)
};

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

std::string fill(const std::string& arg, const fs::path& dir) {
  std::string s = replace_all(arg, "{out}", (dir / "out").string());
  s = replace_all(s, "{dir}", dir.string());
  const size_t at = s.find("{in:");
  if (at != std::string::npos) {
    const size_t end = s.find('}', at);
    s.replace(at, end - at + 1, Inputs::get()(s.substr(at + 4, end - at - 4)).string());
  }
  return s;
}

// The part every folder-name message shares.
constexpr const char* kCannotName = "cannot name an output folder";

std::vector<Case> cases() {
  auto rec = [](std::vector<std::string> args) {
    args.insert(args.begin(), "reconstruct");
    return args;
  };
  return {
      // Inputs: Binance raw.
      {"RawSymbolWithSlashInProcess",
       rec({"--input", "{in:symbol_A/B.txt}", "--out", "{out}", "--in-process"}), 3,
       std::string(":1: field 's': symbol 'A/B' ") + kCannotName},
      {"RawSymbolWithSlashSupervised", rec({"--input", "{in:symbol_A/B.txt}", "--out", "{out}"}), 5,
       std::string("binance-futures A/B failed: .*symbol 'A/B' ") + kCannotName},
      {"RawSymbolDotDotSupervised",
       rec({"--input", "{in:symbol_...txt}", "--out", "{out}", "--workers", "1"}), 5,
       std::string("symbol '\\.\\.' ") + kCannotName},
      {"RawSymbolDotInProcess",
       rec({"--input", "{in:symbol_..txt}", "--out", "{out}", "--in-process"}), 3,
       std::string("symbol '\\.' ") + kCannotName},
      {"RawSymbolTooLong",
       rec({"--input", "{in:symbol_" + std::string(65, 'X') + ".txt}", "--out", "{out}",
            "--in-process"}),
       3, kCannotName},
      {"RawSymbolWithControlCharacter",
       rec({"--input", "{in:symbol_BTC\\u0001.txt}", "--out", "{out}", "--in-process"}), 3,
       std::string("symbol 'BTC\\\\x01' ") + kCannotName},
      {"RawSymbolWithSpaceQuarantined",
       rec({"--input", "{in:symbol_BTC USDT.txt}", "--out", "{out}", "--on-bad-row", "quarantine"}),
       0, "reason=\"bad symbol\" count=[0-9]+"},
      {"RawSymbolInChineseIsAName",
       rec({"--input", "{in:symbol_\u5e01\u5b89\u4eba\u751fUSDT.txt}", "--out", "{out}"}), 0, "^$"},
      {"RawSymbolWithALoneSurrogate",
       rec({"--input", "{in:symbol_\\udc80USDT.txt}", "--out", "{out}", "--in-process"}), 3,
       "USDT.txt:1: field 's': expected a string, got \"\\\\udc80USDT\""},
      {"RawMixedCaptureWithABadSymbolInProcess",
       rec({"--input", "{in:multi_bad_symbol}/BINANCE_FUTURES.ws.1.0", "--out", "{out}",
            "--in-process"}),
       3, std::string("BINANCE_FUTURES.ws.1.0:[0-9]+: field 's': symbol 'SU/SHI' ") + kCannotName},
      {"RawTruncatedGzip", rec({"--input", "{in:truncated.gz}", "--out", "{out}"}), 3,
       "truncated.gz:[0-9]+: truncated gzip stream"},
      {"RawGarbage", rec({"--input", "{in:garbage.bin}", "--out", "{out}", "--in-process"}), 3,
       "garbage.bin:1: unrecognised Binance capture format"},
      {"RawMalformedJson", rec({"--input", "{in:bad_json.txt}", "--out", "{out}", "--in-process"}),
       3, "bad_json.txt:5: malformed JSON"},
      {"RawMissingFile", rec({"--input", "{dir}/nothere.gz", "--out", "{out}"}), 3,
       "nothere.gz: no such file or folder"},
      {"RawInputIsAFolder", rec({"--input", "{in:empty_folder}", "--out", "{out}"}), 2,
       "is a folder: --source binance-raw reads files"},
      // Inputs: Tardis.
      {"TardisSymbolDotDot",
       rec({"--source", "tardis", "--input", "{in:tardis_symbol.csv}", "--out", "{out}",
            "--in-process"}),
       3, std::string("tardis_symbol.csv:3: field 'symbol': symbol '\\.\\./x' ") + kCannotName},
      {"TardisSymbolDotDotSupervised",
       rec({"--source", "tardis", "--input", "{in:tardis_symbol.csv}", "--out", "{out}"}), 5,
       std::string("binance-futures \\.\\./x failed: .*tardis_symbol.csv:3: field 'symbol': symbol "
                   "'\\.\\./x' ") +
           kCannotName},
      {"TardisExchangeWithSlash",
       rec({"--source", "tardis", "--input", "{in:tardis_exchange.csv}", "--out", "{out}",
            "--in-process"}),
       3, std::string("tardis_exchange.csv:3: field 'exchange': exchange 'a/b' ") + kCannotName},
      {"TardisBadSymbolQuarantined",
       rec({"--source", "tardis", "--input", "{in:tardis_symbol.csv}", "--out", "{out}",
            "--on-bad-row", "quarantine", "--in-process"}),
       0, "reason=\"bad symbol\" count=1"},
      {"TardisBadSymbolNotAskedFor",
       rec({"--source", "tardis", "--input", "{in:tardis_symbol.csv}", "--out", "{out}",
            "--symbols", "BTCUSDT", "--in-process"}),
       0, "^$"},
      {"TardisMissingColumn",
       rec({"--source", "tardis", "--input", "{in:tardis_no_timestamp.csv}", "--out", "{out}"}), 3,
       "field 'timestamp': missing column"},
      {"TardisNanPrice",
       rec({"--source", "tardis", "--input", "{in:tardis_nan.csv}", "--out", "{out}",
            "--in-process"}),
       3, "tardis_nan.csv:3: field 'asks\\[0\\].price': not a decimal price: 'nan'"},
      // Inputs: Crypto Lake.
      {"LakeBadSymbolFolderInProcess",
       rec({"--source", "lake", "--input", "{in:lake_bad_symbol}", "--out", "{out}",
            "--in-process"}),
       3, std::string("field 'symbol': symbol 'A B' ") + kCannotName},
      {"LakeBadSymbolFolderSupervised",
       rec({"--source", "lake", "--input", "{in:lake_bad_symbol}", "--out", "{out}"}), 5,
       std::string("binance-futures A B failed: symbol 'A B' ") + kCannotName},
      {"LakeCorruptParquet",
       rec({"--source", "lake", "--input", "{in:lake_corrupt}", "--out", "{out}", "--in-process"}),
       3, "part-0.parquet: cannot read"},
      {"LakeFolderWithoutPartitions",
       rec({"--source", "lake", "--input", "{in:empty_folder}", "--out", "{out}"}), 3,
       "no Crypto Lake partitions"},
      {"LakeDatesSelectNothing",
       rec({"--source", "lake", "--input", "{in:lake}", "--out", "{out}", "--date-from",
            "2030-01-01"}),
       2, "select no Lake partition of the inputs; .* holds binance-futures/BTCUSDT from"},
      {"LakeSymbolsSelectNothingInProcess",
       rec({"--source", "lake", "--input", "{in:lake}", "--out", "{out}", "--symbols", "ETH*",
            "--in-process"}),
       2, "select no Lake partition"},
      {"ConvertBadSymbol",
       {"convert", "--input", "{in:symbol_A/B.txt}", "--out", "{out}"},
       3,
       std::string("field 's': symbol 'A/B' ") + kCannotName},

      // Options (the sweep below tries every option with NaN, infinity, overflow, ...).
      {"WorkerTimeoutNan",
       rec({"--input", "{in:tiny.txt}", "--out", "{out}", "--worker-timeout", "nan"}), 2,
       "--worker-timeout must be a number of seconds from 1 to 604800, not 'nan'"},
      {"WorkerTimeoutInfinity",
       rec({"--input", "{in:tiny.txt}", "--out", "{out}", "--worker-timeout", "inf"}), 2,
       "--worker-timeout must be a number"},
      {"BatchSizeHuge",
       rec({"--input", "{in:tiny.txt}", "--out", "{out}", "--batch-size", "100000000000000"}), 2,
       "--batch-size must be a whole number of messages from 1 to 1000000"},
      {"BatchSizeZeroSaysWhatItWants",
       rec({"--input", "{in:tiny.txt}", "--out", "{out}", "--batch-size", "0"}), 2,
       "--batch-size must be a whole number of messages from 1 to 1000000, not '0'"},
      {"CoresPerWorkerBeyondTheMachine",
       rec({"--input", "{in:tiny.txt}", "--out", "{out}", "--cores-per-worker", "1000"}), 2,
       "--cores-per-worker 1000 is more than this machine's [0-9]+ cores"},
      {"CoresPerWorkerHuge",
       rec({"--input", "{in:tiny.txt}", "--out", "{out}", "--cores-per-worker", "100000"}), 2,
       "--cores-per-worker must be a whole number of cores"},
      {"RowsPerFileOverflow",
       rec({"--input", "{in:tiny.txt}", "--out", "{out}", "--rows-per-file",
            "18446744073709551616"}),
       2, "--rows-per-file must be a whole number of rows"},
      {"TopNBeyondFifty", rec({"--input", "{in:tiny.txt}", "--out", "{out}", "--top-n", "51"}), 2,
       "--top-n must be a whole number of levels from 0 to 50, not '51'"},
      {"DateFromImpossible",
       rec({"--source", "lake", "--input", "{in:lake}", "--out", "{out}", "--date-from",
            "2024-13-45"}),
       2, "--date-from must be a calendar date YYYY-MM-DD, not '2024-13-45'"},
      {"DateToFebruaryThirtieth",
       rec({"--source", "lake", "--input", "{in:lake}", "--out", "{out}", "--date-to",
            "2024-02-30"}),
       2, "--date-to must be a calendar date"},
      {"DateFromAfterDateTo",
       rec({"--source", "lake", "--input", "{in:lake}", "--out", "{out}", "--date-from",
            "2024-08-09", "--date-to", "2024-08-01"}),
       2, "--date-from 2024-08-09 is after --date-to 2024-08-01"},
      {"DateWithExplicitLakeFiles",
       rec({"--source", "lake", "--input",
            "{in:lake}/trades/exchange=binance-futures/symbol=BTCUSDT/dt=2024-07-18/part-0.parquet",
            "--out", "{out}", "--date-from", "2024-07-18"}),
       2, "is a file, read whole: give its Lake root folder, or drop the dates"},
      {"LakeDatesSelectNothingKeepTheEarlierOutput",
       rec({"--source", "lake", "--input", "{in:lake}", "--out", "{in:earlier_output}",
            "--overwrite", "--date-from", "2030-01-01", "--in-process"}),
       2, "select no Lake partition", false, "{in:earlier_output}/manifest.json"},
      {"LakeSymbolsSelectNothingKeepTheEarlierOutputSupervised",
       rec({"--source", "lake", "--input", "{in:lake}", "--out", "{in:earlier_output}",
            "--overwrite", "--symbols", "ETH*"}),
       2, "select no Lake partition", false, "{in:earlier_output}/manifest.json"},
      {"DateWithoutLake",
       rec({"--input", "{in:tiny.txt}", "--out", "{out}", "--date-from", "2024-08-09"}), 2,
       "--date-from selects Crypto Lake dt partitions: it needs --source lake"},
      {"SymbolsThatNameNoFolder",
       rec({"--input", "{in:tiny.txt}", "--out", "{out}", "--symbols", "BTC/USDT"}), 2,
       "--symbols 'BTC/USDT' can match no symbol"},
      {"SymbolsEmpty", rec({"--input", "{in:tiny.txt}", "--out", "{out}", "--symbols", ""}), 2,
       "--symbols '' can match no symbol"},
      {"SourceUnknown", rec({"--source", "kraken", "--input", "{in:tiny.txt}", "--out", "{out}"}),
       2, "--source: kraken not in \\{binance-raw,lake,tardis\\}"},
      {"UnknownOption", rec({"--input", "{in:tiny.txt}", "--out", "{out}", "--bogus"}), 2,
       "--bogus"},
      {"NoOut", rec({"--input", "{in:tiny.txt}"}), 2, "reconstruct needs --input and --out"},
      {"ResumeMissingFolder", rec({"--resume", "{dir}/nothere"}), 2, "nothere: no such folder"},
      {"ResumeFolderWithoutARun", rec({"--resume", "{in:foreign_folder}"}), 2,
       "holds no rlx run to resume"},
      {"ResumeWithInput", rec({"--resume", "{out}", "--input", "{in:tiny.txt}"}), 2,
       "--input excludes --resume"},
      {"DemoMinutesNan",
       {"demo", "--out", "{out}", "--minutes", "nan"},
       2,
       "--minutes must be a number of minutes from 0.1 to 1440, not 'nan'"},
      {"DemoSeedNegative",
       {"demo", "--out", "{out}", "--seed", "-1"},
       2,
       "--seed must be a whole number"},
      {"DemoSymbolWithSlash",
       {"demo", "--out", "{out}", "--symbol", "../x"},
       2,
       std::string("--symbol '\\.\\./x' ") + kCannotName},
      {"ConvertIntervalZero",
       {"convert", "--input", "{in:tiny.txt}", "--out", "{out}", "--snapshot-interval-ms", "0"},
       2,
       "--snapshot-interval-ms must be a whole number of milliseconds from 1 to 86400000"},
      {"SqlEmpty", {"sql", ""}, 2, "the query holds no SQL statement"},
      {"SqlOnlySemicolons", {"sql", " ; ; "}, 2, "the query holds no SQL statement"},
      {"SqlMaxRowsNegative",
       {"sql", "SELECT 1", "--max-rows", "-1"},
       2,
       "--max-rows must be a whole number of rows from 0 to 10000000, not '-1'"},
      {"SqlSyntaxError", {"sql", "SELECT 1; SELEC 2"}, 2, "syntax error at or near \"SELEC\""},
      {"SqlSecondStatementFails",
       {"sql", "SELECT 1; SELECT * FROM nothere"},
       2,
       "statement 2 of 2: Catalog Error: Table with name nothere does not exist"},

      // Output locations.
      {"OutInsideLakeInputSupervised",
       rec({"--source", "lake", "--input", "{in:lake}", "--out", "{in:lake}/events"}), 2,
       "lies inside --input .*: rlx would read its own output as input"},
      {"OutInsideLakeInputInProcess",
       rec({"--source", "lake", "--input", "{in:lake}", "--out", "{in:lake}/events",
            "--in-process"}),
       2, "lies inside --input"},
      {"OutInsideLakeInputOtherSpelling",
       rec({"--source", "lake", "--input", "{in:lake}/", "--out", "{in:lake}/./x/../events"}), 2,
       "lies inside --input"},
      {"OutIsTheLakeInput",
       rec({"--source", "lake", "--input", "{in:lake}", "--out", "{in:lake}", "--overwrite"}), 2,
       "lies inside --input"},
      {"InputInsideOutWithOverwrite",
       rec({"--input", "{in:out_holding_input}/tiny.txt", "--out", "{in:out_holding_input}",
            "--overwrite"}),
       2, "lies inside --out .*: the output folder is rlx's to replace"},
      {"OutIsAFile", rec({"--input", "{in:tiny.txt}", "--out", "{in:a_file}"}), 2,
       "is a file, not a folder"},
      {"OutNotEmpty", rec({"--input", "{in:tiny.txt}", "--out", "{in:foreign_folder}"}), 2,
       "is not empty: choose another --out or pass --overwrite"},
      {"OutCannotBeCreated", rec({"--input", "{in:tiny.txt}", "--out", "/proc/rlx-hostile/out"}), 4,
       "cannot create directory /proc/rlx-hostile"},
      {"SameInputTwice", rec({"--input", "{in:tiny.txt}", "{in:tiny.txt}", "--out", "{out}"}), 2,
       "--input names the same file twice"},
      {"SameInputOtherSpelling",
       rec({"--input", "{in:tiny.txt}", "{in:empty_folder}/../tiny.txt", "--out", "{out}"}), 2,
       "--input names the same file twice"},
      {"SameInputThroughASymlink",
       rec({"--input", "{in:tiny.txt}", "{in:tiny_symlink.txt}", "--out", "{out}"}), 2,
       "--input names the same file twice"},
      {"SameInputThroughAHardLink",
       rec({"--input", "{in:tiny.txt}", "{in:tiny_hardlink.txt}", "--out", "{out}"}), 2,
       "--input names the same file twice"},
      {"LakeRootAndATableInsideIt",
       rec({"--source", "lake", "--input", "{in:lake}", "{in:lake}/trades", "--out", "{out}"}), 2,
       "lies inside --input .*which is read whole"},
      {"ConvertSameInputTwice",
       {"convert", "--input", "{in:tiny.txt}", "{in:tiny.txt}", "--out", "{out}"},
       2,
       "--input names the same file twice"},
      {"DemoIntoAForeignFolder",
       {"demo", "--out", "{in:foreign_folder}"},
       2,
       "holds files that are not an earlier rlx demo"},

      // Concurrent use: another process holds the output's run lock.
      {"BusyOutInProcess", rec({"--input", "{in:tiny.txt}", "--out", "{out}", "--in-process"}), 2,
       "is being written by another rlx process", true},
      {"BusyOutSupervisedOverwrite",
       rec({"--input", "{in:tiny.txt}", "--out", "{out}", "--overwrite"}), 2,
       "is being written by another rlx process", true},
      {"BusyOutInProcessOverwrite",
       rec({"--input", "{in:tiny.txt}", "--out", "{out}", "--overwrite", "--in-process"}), 2,
       "is being written by another rlx process", true},
      {"BusyOutConvert",
       {"convert", "--input", "{in:tiny.txt}", "--out", "{out}"},
       2,
       "is being written by another rlx process",
       true},
      {"BusyOutDemo",
       {"demo", "--out", "{out}", "--minutes", "0.1"},
       2,
       "is being written by another rlx process",
       true},
  };
}

#define RLX_REQUIRE_CAPTURES()                                                   \
  if (!fs::exists(::rlx::testing::shared_data_dir() / "binance/hftbacktest")) {  \
    if (::rlx::testing::in_ci()) FAIL() << "CI is set but test data is missing"; \
    GTEST_SKIP() << "test data not found";                                       \
  }

class Hostile : public ::testing::TestWithParam<Case> {};

TEST_P(Hostile, EndsWithItsExitCodeAndMessage) {
  RLX_REQUIRE_CAPTURES();
  const Case& c = GetParam();
  const fs::path dir = Inputs::get().root() / "cases" / c.name;
  fs::create_directories(dir);
  std::vector<std::string> args;
  for (const std::string& a : c.args) args.push_back(fill(a, dir));
  std::unique_ptr<durability::FileLock> lock;
  if (c.lock_out) {
    fs::create_directories(dir / "out");
    lock = std::make_unique<durability::FileLock>(dir / "out");
  }
  const Outcome o = run_rlx(args, dir);
  ASSERT_FALSE(o.timed_out) << "timed out; stderr: " << o.err;
  EXPECT_NE(o.code, 1) << "internal error: " << o.err;
  EXPECT_LT(o.code, 128) << "ended by a signal: " << o.err;
  EXPECT_EQ(o.code, c.code) << o.err;
  EXPECT_TRUE(std::regex_search(o.err, std::regex(c.message)))
      << "stderr does not say /" << c.message << "/:\n"
      << o.err;
  EXPECT_EQ(o.err.find("internal error"), std::string::npos) << o.err;
  EXPECT_EQ(o.err.find("terminate called"), std::string::npos) << o.err;
  if (!c.kept.empty()) EXPECT_TRUE(fs::exists(fill(c.kept, dir))) << c.kept;
}

INSTANTIATE_TEST_SUITE_P(Cases, Hostile, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return info.param.name;
                         });

// The options a command's --help lists, each with its value type (INT, NUMBER, TEXT, ...; empty
// for a flag).
std::vector<std::pair<std::string, std::string>> options_of(const std::string& command,
                                                            const fs::path& dir) {
  const Outcome help = run_rlx({command, "--help"}, dir);
  EXPECT_EQ(help.code, 0) << help.err;
  std::vector<std::pair<std::string, std::string>> flags;
  const std::regex flag("(^|\\n) +(--[a-z][a-z-]*)( ([A-Z]+))?");
  for (auto it = std::sregex_iterator(help.out.begin(), help.out.end(), flag);
       it != std::sregex_iterator(); ++it) {
    if ((*it)[2] != "--help") flags.emplace_back((*it)[2], (*it)[4]);
  }
  return flags;
}

// Every option of every command, given every kind of hostile value: each run ends in success
// or a documented error (2 usage, 3 bad input, 4 output) with an `rlx: error:` line, never in
// exit 1, a signal or a hang.
TEST(HostileOptions, EveryOptionOfEveryCommandWithEveryKindOfBadValue) {
  RLX_REQUIRE_CAPTURES();
  const fs::path tiny = Inputs::get()("tiny.txt");
  const fs::path root = Inputs::get().root() / "sweep";
#if defined(__SANITIZE_ADDRESS__)
  // Under ASan+UBSan every run costs about a second; the full sweep is the Release run's. Here
  // one value of each kind the parsers take different paths for.
  const std::vector<std::string> values = {"nan", "-1", "1.5", "1e400", "", "../x"};
  constexpr size_t kMinRuns = 150, kMinRefusals = 50;
#else
  const std::vector<std::string> values = {
      "nan", "inf", "-inf", "-1", "0", "1.5", "1e400", "18446744073709551616", "", "abc", "../x"};
  constexpr size_t kMinRuns = 300, kMinRefusals = 100;
#endif
  const std::map<std::string, std::vector<std::string>> base = {
      {"reconstruct", {"--input", tiny.string(), "--out", "out"}},
      {"convert", {"--input", tiny.string(), "--out", "out"}},
      {"demo", {"--out", "out", "--minutes", "0.1"}},
      {"sql", {"SELECT 42"}},
      // Nothing listens on port 9: the capture retries until its short duration ends.
      {"capture",
       {"--market", "spot", "--symbols", "BTCUSDT", "--out", "out", "--duration", "0.05",
        "--ws-url", "wss://127.0.0.1:9", "--rest-url", "https://127.0.0.1:9"}},
      {"exchange",
       {"--capture", tiny.string(), "--port", "0", "--duration", "0.05", "--cert-dir", "tls"}},
      {"validate",
       {"--golden", tiny.string(), "--candidate", tiny.string(), "--out", "out", "--no-pdf"}},
      {"calibrate", {"--golden", tiny.string(), "--out", "calibration.json"}},
  };
  size_t runs = 0, number_refusals = 0;
  for (const auto& [command, args] : base) {
    const fs::path help_dir = root / command;
    fs::create_directories(help_dir);
    const auto flags = options_of(command, help_dir);
    EXPECT_GE(flags.size(), command == "reconstruct" ? 25u : 1u) << command;
    for (const auto& [flag, type] : flags) {
      for (const std::string& value : values) {
        const fs::path dir = root / command / std::to_string(runs++);
        fs::create_directories(dir);
        std::vector<std::string> argv = {command};
        for (size_t i = 0; i < args.size(); ++i) {  // the base, without the swept option
          if (args[i] == flag) {
            ++i;
          } else {
            argv.push_back(args[i]);
          }
        }
        argv.insert(argv.end(), {flag, value});
        const Outcome o = run_rlx(argv, dir);
        const std::string what = "rlx " + command + " ... " + flag + " '" + value + "'";
        ASSERT_FALSE(o.timed_out) << what;
        EXPECT_TRUE(o.code == 0 || o.code == 2 || o.code == 3 || o.code == 4)
            << what << " exited " << o.code << ": " << o.err;
        if (o.code != 0) {
          EXPECT_NE(o.err.find("rlx: error: "), std::string::npos) << what << ": " << o.err;
        }
        EXPECT_EQ(o.err.find("internal error"), std::string::npos) << what << ": " << o.err;
        // A number option refuses every value that is not a finite number in range, naming
        // itself: none of these is in any option's domain (`0` and `-1` may be; `1.5` is for
        // decimals).
        const bool never_a_number = value != "0" && value != "-1" && value != "1.5";
        if ((type == "INT" || type == "NUMBER") &&
            (never_a_number || (type == "INT" && value == "1.5"))) {
          EXPECT_EQ(o.code, 2) << what << ": " << o.err;
          EXPECT_NE(o.err.find("rlx: error: " + flag + " must be a"), std::string::npos)
              << what << ": " << o.err;
          ++number_refusals;
        }
        fs::remove_all(dir);
      }
    }
  }
  EXPECT_GT(runs, kMinRuns);
  EXPECT_GT(number_refusals, kMinRefusals);  // the number options were found and held to their
                                             // domain
}

// One symbol that cannot name a folder among the four of a mixed capture fails alone: the three
// others are written and in the manifest, and the exit code says some symbols failed.
TEST(HostileInputs, ABadSymbolInAMixedCaptureFailsAloneInASupervisedRun) {
  RLX_REQUIRE_CAPTURES();
  const fs::path dir = Inputs::get().root() / "mixed";
  fs::create_directories(dir);
  const Outcome o =
      run_rlx({"reconstruct", "--input",
               (Inputs::get()("multi_bad_symbol") / "BINANCE_FUTURES.ws.1.0").string(), "--out",
               "out", "--workers", "2"},
              dir);
  ASSERT_EQ(o.code, 5) << o.err;
  EXPECT_NE(o.err.find("binance-futures SU/SHI failed"), std::string::npos) << o.err;
  const std::string manifest = slurp(dir / "out" / "manifest.json");
  for (const char* symbol : {"AKROUSDT", "KEEPUSDT", "CTKUSDT"}) {
    EXPECT_NE(manifest.find(std::string("symbol=") + symbol + "/"), std::string::npos) << symbol;
  }
  EXPECT_FALSE(fs::exists(dir / "out" / "exchange=binance-futures" / "symbol=SU"));
  const std::string report = slurp(dir / "out" / "report.json");
  EXPECT_NE(report.find("SU/SHI"), std::string::npos);
}

// Two real processes on one folder: while run A writes, B is refused whatever its flags, and A's
// output is A's alone.
TEST(HostileConcurrency, ASecondRunOnAFolderBeingWrittenIsRefusedWhateverItsFlags) {
  RLX_REQUIRE_CAPTURES();
  const fs::path dir = Inputs::get().root() / "race";
  fs::create_directories(dir);
  const fs::path btc =
      ::rlx::testing::shared_data_dir() / "binance/hftbacktest/usdm_btcusdt_20240808.gz";
  const fs::path eth =
      ::rlx::testing::shared_data_dir() / "binance/hftbacktest/usdm_ethusdt_20240808.gz";
  const std::vector<std::vector<std::string>> second_runs = {
      {"reconstruct", "--input", eth.string(), "--out", "out", "--overwrite"},
      {"reconstruct", "--input", eth.string(), "--out", "out", "--overwrite", "--in-process"},
      {"reconstruct", "--resume", "out"},
      {"convert", "--input", eth.string(), "--out", "out"},
  };
  for (const auto& second : second_runs) {
    // A must still be writing when B ends, or the case proves nothing: smaller batches (a slower
    // A) until it is.
    bool raced = false;
    for (const char* batch : {"10", "1", "1"}) {
      fs::remove_all(dir / "out");
      const std::vector<std::string> a_args = {
          RLX_BINARY, "reconstruct",          "--input",      btc.string(),
          "--out",    (dir / "out").string(), "--batch-size", batch};
      const pid_t a = ::rlx::testing::spawn_process(a_args, dir / "a.err");
      // A holds the lock before it records run.json.
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
      while (!fs::exists(dir / "out" / ".rlx" / "run.json") &&
             std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
      ASSERT_TRUE(fs::exists(dir / "out" / ".rlx" / "run.json")) << slurp(dir / "a.err");
      const Outcome b = run_rlx(second, dir);
      int a_code = -1;
      siginfo_t ended{};  // A outlived B: not ended yet (looked at, not reaped)
      ::waitid(P_PID, static_cast<id_t>(a), &ended, WEXITED | WNOHANG | WNOWAIT);
      raced = ended.si_pid == 0;
      ASSERT_FALSE(::rlx::testing::kill_after(a, 300, &a_code));
      if (!raced) continue;
      EXPECT_EQ(a_code, 0) << slurp(dir / "a.err");
      EXPECT_EQ(b.code, 2) << second[3] << ": " << b.err;
      EXPECT_NE(b.err.find("is being written by another rlx process"), std::string::npos) << b.err;
      const std::string manifest = slurp(dir / "out" / "manifest.json");
      EXPECT_NE(manifest.find("symbol=BTCUSDT/"), std::string::npos);
      EXPECT_EQ(manifest.find("ETHUSDT"), std::string::npos);
      break;
    }
    EXPECT_TRUE(raced) << "run A always ended before run B: nothing was tested";
  }
}

TEST(HostileSql, SeveralStatementsEachPrintTheirResult) {
  const fs::path dir = Inputs::get().root() / "sql";
  fs::create_directories(dir);
  const Outcome o =
      run_rlx({"sql", "SELECT 1 AS a; CREATE TABLE t AS SELECT 2 AS b; SELECT b FROM t"}, dir);
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_NE(o.out.find("a\n-\n1\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("b\n-\n2\n"), std::string::npos) << o.out;
}

}  // namespace
}  // namespace rlx::cli
