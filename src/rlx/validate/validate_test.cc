// rlx validate on real data: a capture against its own Lake reconstruction passes; degraded
// copies of those Lake tables fail on the metrics that should fail and pass the others;
// unpaired windows; calibration files; determinism.
#include "rlx/validate/validate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "rlx/core/error.h"
#include "rlx/core/json_writer.h"
#include "rlx/durability/durable_file.h"
#include "rlx/io/duckdb.h"
#include "rlx/pipeline/convert.h"
#include "rlx/pipeline/reconstruct.h"
#include "rlx/sink/manifest.h"
#include "rlx/sink/thin_part.h"
#include "rlx/testing/test_data.h"
#include "rlx/validate/real_sides.h"
#include "rlx/validate/registry.h"
#include "rlx/validate/window.h"

namespace rlx::validate {
namespace {

TEST_F(ValidateReal, ACaptureAgainstItsOwnLakeReconstructionPassesEveryMetricAndGate) {
  RLX_REQUIRE_DATA(capture, kCapture);
  const LoadedSide g = golden(capture);
  const LoadedSide c = candidate(lake(capture, 100), g);
  EXPECT_EQ(c.kind, InputKind::kLake);
  EXPECT_EQ(g.symbol, "BTCUSDT");
  const Report r = judge(g, c, ValidateConfig{}, Level::kStandard, nullptr);
  EXPECT_TRUE(r.paired);
  EXPECT_EQ(r.verdict, Status::kPass) << report_json(r, g, c);
  EXPECT_DOUBLE_EQ(r.score, 1.0);
  EXPECT_EQ(r.windows_compared, 5u);  // 344 s: five whole clean minutes
  EXPECT_TRUE(failing(r).empty());
  // Every paired and integrity metric measured and exactly 0, but the snapshot one: the
  // capture's only snapshot comes before the Lake book starts.
  for (const MetricResult& m : r.metrics) {
    if (m.metric->rule != Rule::kAbsolute) continue;
    if (m.metric->id == "paired.snapshot_state") {
      EXPECT_EQ(m.status, Status::kSkip);
      continue;
    }
    EXPECT_EQ(m.status, Status::kPass) << m.metric->id;
    EXPECT_EQ(m.measurement.effect, 0) << m.metric->id;
    EXPECT_GT(m.measurement.n, 1000u) << m.metric->id;
  }
  // Everything else was measured (return_60s needs windows longer than 60 s).
  const std::set<std::string> skipped = with_status(r, {Status::kSkip});
  EXPECT_EQ(skipped, std::set<std::string>{"paired.snapshot_state"});
}

// Every other diff message of the Lake deltas dropped: the book drifts between the 100 ms
// snapshots that correct it.
TEST_F(ValidateReal, EveryOtherDeltaDroppedFailsTheBookMetrics) {
  RLX_REQUIRE_DATA(capture, kCapture);
  const LoadedSide g = golden(capture);
  const fs::path bad = degrade(lake(capture, 100), "half_deltas", "book_delta_v2",
                               "SELECT * EXCLUDE (r) FROM (SELECT *, dense_rank() OVER (ORDER BY "
                               "sequence_number) AS r FROM @) WHERE r % 2 = 0 "
                               "ORDER BY sequence_number");
  const Report r = judge(g, candidate(bad, g), ValidateConfig{}, Level::kStandard, nullptr);
  EXPECT_EQ(r.verdict, Status::kFail);
  const std::set<std::string> f = failing(r);
  for (const char* id : {"paired.top_k_equal", "paired.mid_difference", "integrity.crossed_rate",
                         "stream.resyncs", "stream.quantiles.book_interval",
                         "dist.book_interval.ks", "dist.book_interval.w1", "dist.ofi.ks"}) {
    EXPECT_EQ(f.count(id), 1u) << id;
  }
  // Trades are untouched.
  for (const std::string& id : f) EXPECT_EQ(id.find("trade"), std::string::npos) << id;
}

// Only 1 s snapshots: no deltas at all.
TEST_F(ValidateReal, OneSecondSnapshotsOnlyFailTheBookAndRateMetrics) {
  RLX_REQUIRE_DATA(capture, kCapture);
  const LoadedSide g = golden(capture);
  const fs::path snaps = *root_ / "snapshots_1s";
  fs::remove_all(snaps);
  fs::copy(lake(capture, 1000), snaps, fs::copy_options::recursive);
  fs::remove_all(snaps / "book_delta_v2");
  const Report r = judge(g, candidate(snaps, g), ValidateConfig{}, Level::kStandard, nullptr);
  EXPECT_EQ(r.verdict, Status::kFail);
  const std::set<std::string> f = failing(r);
  for (const char* id :
       {"paired.top_k_equal", "paired.mid_difference", "paired.spread_difference",
        "stream.rate_anomalies", "stream.quantiles.book_interval", "stream.quantiles.spread",
        "dist.book_interval.ks", "dist.book_interval.ad", "dist.spread.ks", "dist.ofi.ks"}) {
    EXPECT_EQ(f.count(id), 1u) << id;
  }
  for (const std::string& id : f) EXPECT_EQ(id.find("trade"), std::string::npos) << id;
}

// Trades shifted by 50 ms: the trade-id gate fails (time altered); every distribution passes,
// because a shift keeps every interval and size.
TEST_F(ValidateReal, TradesShiftedBy50MsFailTheTradeGateOnly) {
  RLX_REQUIRE_DATA(capture, kCapture);
  const LoadedSide g = golden(capture);
  const fs::path bad = degrade(lake(capture, 100), "shifted", "trades",
                               "SELECT * REPLACE (origin_time + 50000000 AS origin_time, "
                               "received_time + 50000000 AS received_time) FROM @");
  const Report r = judge(g, candidate(bad, g), ValidateConfig{}, Level::kStandard, nullptr);
  EXPECT_EQ(r.verdict, Status::kFail);
  EXPECT_EQ(failing(r), std::set<std::string>{"paired.trade_ids"});
  ASSERT_FALSE(r.reasons.empty());
  EXPECT_NE(r.reasons[0].find("gate paired.trade_ids failed"), std::string::npos) << r.reasons[0];
  EXPECT_NE(r.metrics[r.ranked_failures.at(0)].measurement.detail.find("21313 altered"),
            std::string::npos);
}

// 5 % of trades dropped: the trade-id gate fails; the distributions of what is left pass.
TEST_F(ValidateReal, FivePercentOfTradesDroppedFailTheTradeGateOnly) {
  RLX_REQUIRE_DATA(capture, kCapture);
  const LoadedSide g = golden(capture);
  const fs::path bad = degrade(lake(capture, 100), "dropped", "trades",
                               "SELECT * FROM @ WHERE hash(trade_id) % 20 <> 0");
  const Report r = judge(g, candidate(bad, g), ValidateConfig{}, Level::kStandard, nullptr);
  EXPECT_EQ(r.verdict, Status::kFail);
  EXPECT_EQ(failing(r), std::set<std::string>{"paired.trade_ids"});
  const MetricResult& ids = r.metrics[r.ranked_failures.at(0)];
  EXPECT_GT(ids.measurement.effect, 0.03);
  EXPECT_LT(ids.measurement.effect, 0.07);
}

// Golden windows of one capture against each other (first half against second half, 30 s
// windows, floors calibrated on the capture): unpaired, and they pass. Another day of the same
// symbol is judged, and the report says the regime may differ.
TEST_F(ValidateReal, UnpairedHalvesOfOneCapturePassAndAnotherDayIsJudged) {
  RLX_REQUIRE_DATA(capture, kCapture);
  RLX_REQUIRE_DATA(other_day, "binance/hftbacktest/usdm_btcusdt_20240718.gz");
  ValidateConfig config;
  config.window_ns = 30'000'000'000;
  const LoadedSide whole = golden(capture, config);
  const std::vector<Window> ws = windows(whole.features, config.window_ns, true);
  ASSERT_GE(ws.size(), 10u);
  const size_t half = ws.size() / 2;
  LoadedSide first = whole;
  LoadedSide second = whole;
  first.features = slice(whole.features, {ws.front().from_ns, ws[half].from_ns});
  second.features = slice(whole.features, {ws[half].from_ns, ws.back().to_ns});
  // The floors come from the whole capture (`rlx calibrate` on the golden data): each half
  // alone holds too few pairs of windows as far apart as the halves are.
  const Calibration cal = calibrate(whole, config);
  const Report r = judge(first, second, config, Level::kStandard, &cal);
  EXPECT_FALSE(r.paired);
  EXPECT_EQ(r.verdict, Status::kPass) << report_json(r, first, second);
  EXPECT_GE(r.windows_compared, 4u);

  const LoadedSide day = candidate(other_day, whole, config);
  const Report d = judge(whole, day, config, Level::kStandard, nullptr);
  EXPECT_FALSE(d.paired);
  const std::string json = report_json(d, whole, day);
  EXPECT_NE(json.find("\"mode\": \"unpaired\""), std::string::npos);
  EXPECT_NE(json.find("regime may differ"), std::string::npos);
  EXPECT_GE(d.windows_compared, 2u);
  // Paired-only metrics are not measured, and say why.
  for (const MetricResult& m : d.metrics) {
    if (m.metric->needs_pairing) EXPECT_EQ(m.why_skipped, "needs overlapping windows");
  }
}

// A calibration file round-trips, judges the same, and is refused for another window,
// configuration or symbol. The same inputs give the same report.json, byte for byte.
TEST_F(ValidateReal, CalibrationFilesAndDeterminism) {
  RLX_REQUIRE_DATA(capture, kCapture);
  RLX_REQUIRE_DATA(eth, "binance/hftbacktest/usdm_ethusdt_20240808.gz");
  const ValidateConfig config;
  const LoadedSide g = golden(capture);
  const LoadedSide c = candidate(lake(capture, 100), g);
  const Calibration cal = calibrate(g, config);
  EXPECT_EQ(cal.windows, 5u);
  EXPECT_EQ(cal.pairs, 10u);
  EXPECT_EQ(cal.inputs.size(), 1u);
  const fs::path file = *root_ / "calibration.json";
  {
    std::FILE* f = std::fopen(file.c_str(), "w");
    const std::string text = cal.to_json();
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
  const Calibration back = Calibration::load(file);
  EXPECT_EQ(back.to_json(), cal.to_json());
  const Report a = judge(g, c, config, Level::kStandard, &back);
  const Report b = judge(g, c, config, Level::kStandard, nullptr);
  EXPECT_EQ(a.verdict, b.verdict);
  EXPECT_EQ(a.calibration_source, "file");
  EXPECT_EQ(a.calibration_hash, b.calibration_hash);
  // Byte for byte: the same inputs twice, the candidate loaded afresh.
  const LoadedSide c2 = candidate(lake(capture, 100), g);
  EXPECT_EQ(report_json(b, g, c),
            report_json(judge(g, c2, config, Level::kStandard, nullptr), g, c2));
  EXPECT_EQ(report_prometheus(b, g), report_prometheus(a, g));

  ValidateConfig other = config;
  other.window_ns = 30'000'000'000;
  EXPECT_THROW(judge(g, c, other, Level::kStandard, &back), Error);
  other = config;
  other.seed = 7;
  EXPECT_THROW(judge(g, c, other, Level::kStandard, &back), Error);
  const LoadedSide e = golden(eth);
  try {
    judge(e, e, config, Level::kStandard, &back);
    FAIL() << "a BTCUSDT calibration judged ETHUSDT";
  } catch (const Error& err) {
    EXPECT_EQ(err.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(std::string(err.what()).find("BTCUSDT"), std::string::npos) << err.what();
  }
}

// rlx output read back (the enrichment columns) gives the same features as reconstructing its
// inputs, on every level the output holds, and passes against the golden capture.
TEST_F(ValidateReal, RlxOutputReadBackEqualsReconstructingItsInputs) {
  RLX_REQUIRE_DATA(capture, kCapture);
  const LoadedSide g = golden(capture);
  const fs::path lake_root = lake(capture, 100);
  pipeline::ReconstructOptions ro;
  ro.source = pipeline::SourceKind::kLake;
  ro.inputs = {lake_root};
  ro.out_dir = *root_ / "events";
  ro.durable = false;
  ro.overwrite = true;
  ro.progress = ProgressMode::kNever;
  pipeline::reconstruct(ro);
  const LoadedSide out = candidate(ro.out_dir, g);
  // The output holds 5 levels a side; read with grids of 5 levels, the raw side's seams (a
  // resync counts where it changed the levels seen) are judged on the same levels.
  LoadOptions five;
  five.symbol = g.symbol;
  five.features.grids = {{100'000'000, 5}, {1'000'000'000, 5}};
  const LoadedSide raw = load_side(SideInput{InputKind::kLake, {lake_root}}, five);
  const LoadedSide out5 = load_side(SideInput{InputKind::kRlxOutput, {ro.out_dir}}, five);
  EXPECT_EQ(out.kind, InputKind::kRlxOutput);
  EXPECT_EQ(out.book_depth, 5u);
  const features::Features& a = out5.features;
  const features::Features& b = raw.features;
  EXPECT_EQ(a.events, b.events);
  EXPECT_EQ(a.trades.id, b.trades.id);
  EXPECT_EQ(a.trades.time_ns, b.trades.time_ns);
  EXPECT_EQ(a.book_message_ns, b.book_message_ns);
  ASSERT_EQ(a.seams.size(), b.seams.size());
  for (size_t i = 0; i < a.seams.size(); ++i) EXPECT_EQ(a.seams[i].time_ns, b.seams[i].time_ns);
  const features::Grid* ga = a.grid(100'000'000);
  const features::Grid* gb = b.grid(100'000'000);
  ASSERT_NE(ga, nullptr);
  ASSERT_NE(gb, nullptr);
  EXPECT_EQ(ga->time_ns, gb->time_ns);
  EXPECT_EQ(ga->bid_ticks, gb->bid_ticks);
  EXPECT_EQ(ga->bid_lots, gb->bid_lots);
  EXPECT_EQ(ga->ask_ticks, gb->ask_ticks);
  EXPECT_EQ(ga->ask_lots, gb->ask_lots);
  EXPECT_EQ(ga->ofi_lots, gb->ofi_lots);
  EXPECT_EQ(ga->state, gb->state);
  const Report r = judge(g, out, ValidateConfig{}, Level::kStandard, nullptr);
  EXPECT_EQ(r.verdict, Status::kPass) << report_json(r, g, out);
}

void expect_same_grid(const features::Grid& a, const features::Grid& b) {
  EXPECT_EQ(a.step_ns, b.step_ns);
  EXPECT_EQ(a.levels, b.levels);
  EXPECT_EQ(a.time_ns, b.time_ns);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.bid_ticks, b.bid_ticks);
  EXPECT_EQ(a.bid_lots, b.bid_lots);
  EXPECT_EQ(a.ask_ticks, b.ask_ticks);
  EXPECT_EQ(a.ask_lots, b.ask_lots);
  EXPECT_EQ(a.trades, b.trades);
  EXPECT_EQ(a.book_messages, b.book_messages);
  EXPECT_EQ(a.buy_lots, b.buy_lots);
  EXPECT_EQ(a.sell_lots, b.sell_lots);
  EXPECT_EQ(a.ofi_lots, b.ofi_lots);
}

// Every column of two sides' features.
void expect_same_features(const features::Features& a, const features::Features& b) {
  EXPECT_EQ(a.units.tick, b.units.tick);
  EXPECT_EQ(a.units.lot, b.units.lot);
  ASSERT_EQ(a.grids.size(), b.grids.size());
  for (size_t i = 0; i < a.grids.size(); ++i) expect_same_grid(a.grids[i], b.grids[i]);
  expect_same_grid(a.probes, b.probes);
  EXPECT_EQ(a.trades.time_ns, b.trades.time_ns);
  EXPECT_EQ(a.trades.price_ticks, b.trades.price_ticks);
  EXPECT_EQ(a.trades.size_lots, b.trades.size_lots);
  EXPECT_EQ(a.trades.side, b.trades.side);
  EXPECT_EQ(a.trades.id, b.trades.id);
  EXPECT_EQ(a.book_message_ns, b.book_message_ns);
  ASSERT_EQ(a.seams.size(), b.seams.size());
  for (size_t i = 0; i < a.seams.size(); ++i) {
    EXPECT_EQ(a.seams[i].time_ns, b.seams[i].time_ns);
    EXPECT_EQ(a.seams[i].flags, b.seams[i].flags);
  }
  EXPECT_EQ(a.events, b.events);
  EXPECT_EQ(a.off_grid_values, b.off_grid_values);
  EXPECT_EQ(a.first_ns, b.first_ns);
  EXPECT_EQ(a.last_ns, b.last_ns);
  JsonWriter ja, jb;
  a.stream.write_json(ja);
  b.stream.write_json(jb);
  EXPECT_EQ(ja.str(), jb.str());
}

// `rlx reconstruct --validate` writes a thin copy beside each part; `rlx validate` reads those
// and gets the same features as from the parts, column by column, on both sides' roles (the
// golden probed at its snapshots). A damaged thin copy is refused with its name; --read-parts
// still reads the parts.
TEST_F(ValidateReal, ThinCopiesGiveTheSameFeaturesAsTheParts) {
  RLX_REQUIRE_DATA(capture, kCapture);
  pipeline::ReconstructOptions ro;
  ro.inputs = {capture};
  ro.out_dir = *root_ / "thin";
  ro.durable = false;
  ro.overwrite = true;
  ro.validate = true;
  ro.rows_per_file = 150'000;  // several parts, so messages and books cross part boundaries
  ro.progress = ProgressMode::kNever;
  pipeline::reconstruct(ro);
  const std::vector<sink::FileInfo> parts = sink::read_manifest(ro.out_dir);
  ASSERT_GE(parts.size(), 3u);
  for (const sink::FileInfo& f : parts) EXPECT_GT(f.thin_bytes, 0u) << f.path;

  LoadOptions o;
  o.features = feature_options(ValidateConfig{});
  o.features.probe_snapshots = true;
  const SideInput in{InputKind::kAuto, {ro.out_dir}};
  const LoadedSide thin = load_side(in, o);
  o.read_parts = true;
  const LoadedSide whole = load_side(in, o);
  EXPECT_TRUE(thin.from_thin_copies);
  EXPECT_FALSE(whole.from_thin_copies);
  EXPECT_EQ(thin.book_depth, whole.book_depth);
  ASSERT_GT(thin.features.probes.rows(), 0u);
  ASSERT_GT(thin.features.trades.size(), 1000u);
  expect_same_features(thin.features, whole.features);

  // Read from the thin copies, a side that `name`s a damaged file is refused (exit 3).
  const auto expect_refused_naming = [&](const std::string& name) {
    o.read_parts = false;
    try {
      load_side(in, o);
      ADD_FAILURE() << "read despite a damaged " << name;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), StatusCode::kBadInput);
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
  };
  // One byte of one thin copy changed: refused, naming it; the parts still read.
  const fs::path victim = ro.out_dir / sink::thin_path(parts[1].path);
  const std::string original = durability::read_file(victim);
  std::string bytes = original;
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 1);
  durability::write_file_atomic(victim, bytes);
  expect_refused_naming(victim.filename().string());
  o.read_parts = true;
  EXPECT_EQ(load_side(in, o).features.events, whole.features.events);

  // The parts are still what the report names: a missing part is an error naming it.
  durability::write_file_atomic(victim, original);
  fs::remove(ro.out_dir / parts[2].path);
  expect_refused_naming(parts[2].path);
}

// Both sides loaded at once (as `rlx validate` does) equal loading the golden first and then the
// candidate at its probe times: a Lake golden with a snapshot every 100 ms, so the candidate
// is probed thousands of times. A failing side fails the pair without hanging, and sides of
// different symbols are refused.
TEST_F(ValidateReal, SidesLoadedAtOnceEqualSidesLoadedInTurn) {
  RLX_REQUIRE_DATA(capture, kCapture);
  RLX_REQUIRE_DATA(eth, "binance/hftbacktest/usdm_ethusdt_20240808.gz");
  const fs::path lake_root = lake(capture, 100);
  const LoadedSide g = golden(lake_root);
  const LoadedSide c = candidate(capture, g);
  ASSERT_GT(g.features.probes.time_ns.size(), 3000u);
  LoadOptions o;
  o.features = feature_options(ValidateConfig{});
  const SidePair pair = load_pair(SideInput{InputKind::kAuto, {lake_root}},
                                  SideInput{InputKind::kAuto, {capture}}, o);
  EXPECT_EQ(pair.candidate.features.probes.time_ns, c.features.probes.time_ns);
  EXPECT_EQ(pair.candidate.features.probes.bid_ticks, c.features.probes.bid_ticks);
  EXPECT_EQ(pair.candidate.features.probes.ask_lots, c.features.probes.ask_lots);
  const ValidateConfig config;
  const Report a = judge(g, c, config, Level::kStandard, nullptr);
  const Report b = judge(pair.golden, pair.candidate, config, Level::kStandard, nullptr);
  EXPECT_EQ(report_json(a, g, c), report_json(b, pair.golden, pair.candidate));

  const auto code_of = [&](const fs::path& gold, const fs::path& cand) {
    try {
      load_pair(SideInput{InputKind::kAuto, {gold}}, SideInput{InputKind::kAuto, {cand}}, o);
    } catch (const Error& e) {
      return e.code();
    }
    return StatusCode::kOk;
  };
  EXPECT_EQ(code_of(*root_ / "absent", capture),
            StatusCode::kInvalidArgument);  // the golden fails at once
  EXPECT_EQ(code_of(capture, *root_ / "absent"), StatusCode::kInvalidArgument);
  EXPECT_EQ(code_of(capture, eth), StatusCode::kInvalidArgument);  // BTCUSDT against ETHUSDT
}

}  // namespace
}  // namespace rlx::validate
