#include "rlx/shard/plan.h"

#include <fmt/format.h>
#include <simdjson.h>
#include <xxhash.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <set>

#include "rlx/core/error.h"
#include "rlx/core/json_writer.h"
#include "rlx/core/version.h"
#include "rlx/durability/durable_file.h"
#include "rlx/io/reader.h"
#include "rlx/pipeline/option_names.h"
#include "rlx/pipeline/options_check.h"
#include "rlx/pipeline/run_state.h"

namespace rlx::shard {
namespace fs = std::filesystem;
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kDaySeconds = 86'400;
constexpr uint64_t kScanMessages = 100'000;  // per input, to find its symbols
constexpr const char* kPlanFile = "plan.json";

Error usage(const std::string& message) { return Error(StatusCode::kInvalidArgument, message); }

// The symbols of the inputs: Lake partitions name them; other inputs are read from the start.
std::vector<pipeline::SymbolKey> find_keys(const pipeline::ReconstructOptions& run) {
  if (run.source == pipeline::SourceKind::kLake) return pipeline::lake_symbols(run);
  std::set<pipeline::SymbolKey> keys;
  std::vector<std::string> names;
  for (const auto& reader : pipeline::open_readers(run, &names)) {
    Message m;
    for (uint64_t n = 0; n < kScanMessages && reader->next(&m); ++n) {
      if (!io::symbol_matches(run.symbols, m.symbol)) continue;
      if (!valid_partition_name(m.exchange) || !valid_partition_name(m.symbol)) {
        throw bad_input(Location{}, partition_name_error("symbol", m.exchange + "/" + m.symbol));
      }
      keys.emplace(m.exchange, m.symbol);
    }
  }
  return {keys.begin(), keys.end()};
}

std::string shards_json(const Plan& plan) {
  JsonWriter w(/*pretty=*/true);
  w.begin_array();
  for (const Shard& s : plan.shards) {
    w.begin_object();
    w.key("index").uint64(s.index);
    w.key("id").string(s.id());
    w.key("exchange").string(s.key.first);
    w.key("symbol").string(s.key.second);
    w.key("start_ns");
    s.start_ns == kNull ? w.null() : w.int64(s.start_ns);
    w.key("end_ns");
    s.end_ns == kNull ? w.null() : w.int64(s.end_ns);
    w.key("after").int64(s.after);
    w.key("feed").string(name_of(pipeline::kFeedNames, s.feed));
    w.end_object();
  }
  w.end_array();
  return w.take();
}

std::string config_hash(const Plan& plan) {
  const std::string run =
      durability::read_file(plan.out_dir() / pipeline::kStateDir / pipeline::kRunFile);
  const std::string all = run + std::to_string(plan.shard_seconds) +
                          (plan.independent ? "independent" : "") + shards_json(plan);
  return durability::hex64(XXH3_64bits(all.data(), all.size()));
}

}  // namespace

std::string Shard::id() const {
  return key.first + "/" + key.second + "/" + (start_ns == kNull ? "start" : format_utc(start_ns));
}

fs::path Plan::day_dir(uint32_t index) const { return dir / "days" / fmt::format("{:06d}", index); }

fs::path Plan::marker(uint32_t index, const char* suffix) const {
  return dir / "shards" / fmt::format("{:06d}{}", index, suffix);
}

int64_t parse_utc(const std::string& text, const char* flag, bool end_of_day) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  char tail = 0;
  const int got = std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &year, &month, &day, &hour,
                              &minute, &second, &tail);
  const bool date_only = got == 3 && text.size() == 10;
  const bool ok = (date_only || got == 5 || got == 6 || (got == 7 && tail == 'Z')) && month >= 1 &&
                  month <= 12 && day >= 1 && day <= 31 && hour < 24 && minute < 60 && second < 60 &&
                  hour >= 0 && minute >= 0 && second >= 0;
  if (!ok) {
    throw usage(
        fmt::format("{} must be a UTC date or time (2024-08-08, 2024-08-08T23:55 or "
                    "2024-08-08T23:55:30), not '{}'",
                    flag, text));
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  int64_t seconds = timegm(&tm);
  if (date_only && end_of_day) seconds += kDaySeconds;
  return seconds * kSecond;
}

std::string format_utc(int64_t ns) {
  const auto seconds = static_cast<time_t>(ns / kSecond);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

Plan make_plan(const PlanOptions& options) {
  const int64_t s = options.shard_seconds;
  if (s <= 0 || (s < kDaySeconds ? kDaySeconds % s != 0 : s % kDaySeconds != 0)) {
    throw usage(
        fmt::format("--shard-seconds must divide a day (86400) or be whole days, not {}", s));
  }
  if (options.from_ns == kNull || options.to_ns == kNull || options.from_ns >= options.to_ns) {
    throw usage("a plan needs --from before --to");
  }
  if (options.from_ns % (s * kSecond) != 0 || options.to_ns % (s * kSecond) != 0) {
    throw usage(fmt::format("--from and --to must fall on whole shards of {} s (UTC)", s));
  }
  Plan plan;
  plan.dir = options.dir;
  plan.shard_seconds = s;
  pipeline::ReconstructOptions run = options.run;
  plan.independent = options.days == Days::kIndependent ||
                     (options.days == Days::kAuto && run.source == pipeline::SourceKind::kLake &&
                      s % kDaySeconds == 0 && !run.validate);
  run.out_dir = plan.out_dir();
  run.mode = pipeline::RunMode::kSupervised;
  run.durable = true;
  run.checkpoint_seconds = s;  // each window ends at a scheduled checkpoint
  run.overwrite = options.overwrite;
  pipeline::check_reconstruct_options(run);
  if (plan.independent) {
    if (run.source != pipeline::SourceKind::kLake || s % kDaySeconds != 0) {
      throw usage(
          "independent days need --source lake and whole-day windows (else --days chained)");
    }
    if (run.validate) throw usage("--validate needs a chained plan (--days chained)");
  }
  if (run.source != pipeline::SourceKind::kLake &&
      run.on_bad_row == io::BadRowPolicy::kQuarantine) {
    // Every symbol's chain reads the mixed inputs: their quarantine has no one owner yet.
    throw usage("shards of binance-raw or tardis inputs need --on-bad-row fail");
  }
  if (fs::exists(plan.dir / kPlanFile) && !options.overwrite) {
    throw usage(plan.dir.string() + " holds a plan already (--overwrite replaces it)");
  }
  pipeline::check_inputs(run);
  plan.keys = find_keys(run);
  if (plan.keys.empty()) throw usage("the inputs hold no symbol that --symbols selects");

  const auto lock = pipeline::lock_out_dir(run.out_dir);
  pipeline::prepare_out_dir(run);
  fs::remove_all(plan.dir / "shards");
  fs::remove_all(plan.dir / "days");
  durability::create_directories_durable(plan.dir / "shards");
  pipeline::write_run_file(run);

  plan.windows = static_cast<uint32_t>((options.to_ns - options.from_ns) / (s * kSecond));
  const auto k = static_cast<uint32_t>(plan.keys.size());
  for (uint32_t w = 0; w < plan.windows; ++w) {
    for (uint32_t i = 0; i < k; ++i) {
      Shard shard;
      shard.index = w * k + i;
      shard.key = plan.keys[i];
      // A chain's ends are open: its first shard also takes what precedes --from, its last what
      // follows --to. Independent days read exactly their own dt partitions.
      const bool first = w == 0 && !plan.independent;
      const bool last = w + 1 == plan.windows && !plan.independent;
      shard.start_ns = first ? kNull : options.from_ns + w * s * kSecond;
      shard.end_ns = last ? kNull : options.from_ns + (w + 1) * s * kSecond;
      shard.after = w == 0 || plan.independent ? -1 : static_cast<int64_t>((w - 1) * k + i);
      shard.feed = run.source == pipeline::SourceKind::kLake ? pipeline::Feed::kDirect
                                                             : pipeline::Feed::kInputs;
      plan.shards.push_back(shard);
    }
  }
  plan.config_xxh3 = config_hash(plan);
  JsonWriter w(/*pretty=*/true);
  w.begin_object();
  w.key("rlx_plan").uint64(1);
  w.key("rlx_version").string(kVersion);
  w.key("config_xxh3").string(plan.config_xxh3);
  w.key("shard_seconds").int64(s);
  w.key("days").string(name_of(kDaysNames, plan.independent ? Days::kIndependent : Days::kChained));
  w.key("from").string(format_utc(options.from_ns));
  w.key("to").string(format_utc(options.to_ns));
  w.key("windows").uint64(plan.windows);
  w.key("symbols").uint64(k);
  w.key("shards").raw(shards_json(plan));
  w.end_object();
  durability::write_file_atomic(plan.dir / kPlanFile, w.take() + "\n");
  return plan;
}

Plan read_plan(const fs::path& dir) {
  const fs::path path = dir / kPlanFile;
  if (!fs::exists(path)) throw usage(dir.string() + " holds no plan (no plan.json)");
  Plan plan;
  plan.dir = dir;
  auto bad = [&](const std::string& what) {
    return Error(StatusCode::kBadInput, path.string() + ": " + what);
  };
  auto text = [](simdjson::ondemand::value v) {
    return std::string(std::string_view(v.get_string()));
  };
  simdjson::ondemand::parser parser;
  const simdjson::padded_string json(durability::read_file(path));
  try {
    simdjson::ondemand::document doc = parser.iterate(json);
    simdjson::ondemand::object root = doc.get_object();
    if (root["rlx_plan"].get_uint64() != 1) throw bad("unknown rlx_plan version");
    plan.config_xxh3 = text(root["config_xxh3"]);
    plan.shard_seconds = root["shard_seconds"].get_int64();
    Days days = Days::kAuto;
    const std::string days_text = text(root["days"]);
    if (!parse_name(kDaysNames, days_text, &days) || days == Days::kAuto) {
      throw bad("unknown days '" + days_text + "'");
    }
    plan.independent = days == Days::kIndependent;
    plan.windows = static_cast<uint32_t>(uint64_t(root["windows"].get_uint64()));
    for (simdjson::ondemand::object o : root["shards"].get_array()) {
      Shard s;
      s.index = static_cast<uint32_t>(uint64_t(o["index"].get_uint64()));
      s.key.first = text(o["exchange"]);
      s.key.second = text(o["symbol"]);
      simdjson::ondemand::value start = o["start_ns"];
      s.start_ns = start.is_null() ? kNull : int64_t(start.get_int64());
      simdjson::ondemand::value end = o["end_ns"];
      s.end_ns = end.is_null() ? kNull : int64_t(end.get_int64());
      s.after = o["after"].get_int64();
      if (!parse_name(pipeline::kFeedNames, text(o["feed"]), &s.feed)) throw bad("unknown feed");
      if (s.index != plan.shards.size()) throw bad("shards out of order");
      plan.shards.push_back(s);
    }
  } catch (const simdjson::simdjson_error& e) {
    throw bad(std::string("not a plan: ") + e.what());
  }
  std::set<pipeline::SymbolKey> keys;
  for (const Shard& s : plan.shards) keys.insert(s.key);
  plan.keys.assign(keys.begin(), keys.end());
  if (config_hash(plan) != plan.config_xxh3) {
    throw bad("its shards or out/.rlx/run.json changed since it was written (config_xxh3)");
  }
  return plan;
}

}  // namespace rlx::shard
