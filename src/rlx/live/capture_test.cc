// rlx capture against the local exchange replaying real captures over TLS: the record holds
// exactly the frames served, byte for byte and in each stream's order, and the live book agrees
// with bookTicker wherever the ids coincide; --events writes what `rlx reconstruct` of the
// record writes, byte for byte.
#include "rlx/live/capture.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <thread>

#include "rlx/binance/capture_line.h"
#include "rlx/durability/durable_file.h"
#include "rlx/exchange/local_exchange.h"
#include "rlx/io/binance_raw_reader.h"
#include "rlx/io/line_reader.h"
#include "rlx/live/recorder.h"
#include "rlx/pipeline/reconstruct.h"
#include "rlx/testing/test_data.h"

namespace rlx::live {
namespace {
namespace fs = std::filesystem;

struct Line {
  std::string stream;
  std::string data;
};

// Every line of a capture folder's record, in order.
std::vector<Line> record_lines(const fs::path& dir) {
  std::vector<Line> out;
  for (const auto& seg : list_segments(dir)) {
    io::LineReader r(seg.string());
    std::string_view line;
    while (r.next(&line)) {
      std::string_view stream, data;
      EXPECT_TRUE(binance::split_envelope(line, &stream, &data)) << line.substr(0, 100);
      out.push_back({std::string(stream), std::string(data)});
    }
  }
  return out;
}

// Stream types ("depth@100ms") and symbols (upper case) of stream names.
void split_streams(const std::vector<std::string>& streams, std::vector<std::string>* types,
                   std::vector<std::string>* symbols) {
  std::set<std::string> t, s;
  for (const auto& name : streams) {
    const size_t at = name.find('@');
    t.insert(name.substr(at + 1));
    std::string sym = name.substr(0, at);
    for (char& c : sym) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    s.insert(sym);
  }
  types->assign(t.begin(), t.end());
  symbols->assign(s.begin(), s.end());
}

struct CaptureRun {
  fs::path record_dir;
  fs::path events_dir;
  CaptureStats stats;
  std::vector<exchange::ServedConnection> served;
  std::vector<std::string> snapshots;
  std::vector<Line> record;
};

// Serves `capture` (at most `max_frames` frames) to a capture of all its streams; stops the
// capture once everything served is recorded.
CaptureRun capture_against_exchange(const fs::path& capture, Market market, const fs::path& tmp,
                                    uint64_t max_frames = 0) {
  exchange::ExchangeOptions eo;
  eo.captures = {capture};
  eo.pki = exchange::generate_test_pki(tmp / "pki", {"localhost", "127.0.0.1"});
  eo.max_frames = max_frames;
  eo.log = Log(LogLevel::kWarn, LogFormat::kText);
  exchange::LocalExchange ex(eo);
  EXPECT_EQ(ex.market(), market);

  CaptureOptions co;
  co.market = market;
  split_streams(ex.streams(), &co.streams, &co.symbols);
  co.out_dir = tmp / "record";
  co.ws_base = ex.ws_base();
  co.rest_base = ex.rest_base();
  co.ca_file = eo.pki.ca_cert.string();
  co.flush_interval_ms = 50;
  co.events_dir = tmp / "live-events";
  co.log = Log(LogLevel::kWarn, LogFormat::kText);
  Capture cap(co);
  CaptureRun run;
  std::thread t([&] { run.stats = cap.run(); });
  EXPECT_TRUE(ex.wait_finished(std::chrono::seconds(120)));
  // Everything served reaches the record: every frame and every snapshot body.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    uint64_t served = ex.served_snapshots().size();
    for (const auto& c : ex.served()) served += c.frames.size();
    if (cap.stats().record_lines >= served) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ADD_FAILURE() << "recorded " << cap.stats().record_lines << " of " << served;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  cap.stop();
  t.join();
  run.served = ex.served();
  run.snapshots = ex.served_snapshots();
  run.record = record_lines(co.out_dir);
  run.record_dir = co.out_dir;
  run.events_dir = co.events_dir;
  return run;
}

// Every Parquet file under `dir`, by relative path.
std::map<std::string, std::string> parquet_files(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".parquet") {
      out[fs::relative(e.path(), dir).string()] = durability::read_file(e.path());
    }
  }
  return out;
}

// The record, stream by stream, equals what was served, byte for byte.
void expect_record_is_what_was_served(const CaptureRun& run) {
  std::map<std::string, std::vector<std::string>> served, recorded;
  size_t total = 0;
  for (const auto& c : run.served) {
    for (const auto& frame : c.frames) {
      std::string_view stream, data;
      if (binance::split_envelope(frame, &stream, &data)) {
        served[std::string(stream)].emplace_back(data);
      } else {
        served["!control"].push_back(frame);
      }
      ++total;
    }
  }
  // Snapshot requests of several symbols run concurrently: their order is each response's.
  for (const auto& body : run.snapshots) served["snapshot"].push_back(body);
  std::sort(served["snapshot"].begin(), served["snapshot"].end());
  for (const auto& line : run.record) {
    const bool snap = line.stream.find("@depthSnapshot") != std::string::npos;
    recorded[snap ? "snapshot" : line.stream].push_back(line.data);
  }
  std::sort(recorded["snapshot"].begin(), recorded["snapshot"].end());
  EXPECT_EQ(run.record.size(), total + run.snapshots.size());
  ASSERT_EQ(served.size(), recorded.size());
  for (const auto& [stream, frames] : served) {
    const auto& got = recorded[stream];
    ASSERT_EQ(got.size(), frames.size()) << stream;
    for (size_t i = 0; i < frames.size(); ++i) {
      ASSERT_TRUE(got[i] == frames[i])
          << stream << " frame " << i << ": recorded " << got[i].substr(0, 200) << " served "
          << frames[i].substr(0, 200);
    }
  }
  EXPECT_EQ(run.stats.duplicates, 0u);
  EXPECT_EQ(run.stats.malformed, 0u);
}

class CaptureReplay : public ::testing::TestWithParam<std::tuple<const char*, Market>> {};

TEST_P(CaptureReplay, RecordIsWhatWasServedBookMatchesTickerAndEventsEqualReconstruct) {
  const auto [file, market] = GetParam();
  RLX_REQUIRE_DATA(path, std::string("binance/") + file);
  testing::TempDir tmp;
  // hftbacktest days are long: 20 000 frames of each are plenty.
  const CaptureRun run = capture_against_exchange(path, market, tmp.path(), 20000);
  expect_record_is_what_was_served(run);
  uint64_t matched = 0;
  for (const auto& s : run.stats.symbols) {
    if (s.frames == 0) continue;
    // Synced, or (a symbol with no diff after its snapshot) waiting for the bridging diff.
    EXPECT_TRUE(s.sync_state == "synced" || s.sync_state == "awaiting_bridge")
        << s.symbol << " " << s.sync_state;
    EXPECT_GE(s.snapshots, 1u) << s.symbol;
    EXPECT_EQ(s.book.gaps, 0u) << s.symbol;
    EXPECT_EQ(s.book.ticker_mismatched, 0u) << s.symbol;
    matched += s.book.ticker_matched;
  }
  EXPECT_GT(matched, 0u);
  // `rlx reconstruct` of the record runs the same book on the same messages: every counter of
  // every symbol's book equals the live one's.
  pipeline::ReconstructOptions ro;
  ro.source = pipeline::SourceKind::kBinanceRaw;
  for (const auto& seg : list_segments(run.record_dir)) ro.inputs.push_back(seg);
  ro.out_dir = tmp.path() / "events";
  ro.progress = ProgressMode::kNever;
  const pipeline::ReconstructSummary rs = pipeline::reconstruct(ro);
  for (const auto& live : run.stats.symbols) {
    if (live.frames == 0) continue;
    const auto it = std::find_if(rs.symbols.begin(), rs.symbols.end(),
                                 [&](const auto& s) { return s.symbol == live.symbol; });
    ASSERT_NE(it, rs.symbols.end()) << live.symbol;
    std::string a, b;
    live.book.write_json(&a);
    it->stats.write_json(&b);
    size_t at = 0;
    while (at < a.size() && at < b.size() && a[at] == b[at]) ++at;
    const size_t from = at > 60 ? at - 60 : 0;
    EXPECT_EQ(a, b) << live.symbol << ": live ..." << a.substr(from, 160) << " reconstructed ..."
                    << b.substr(from, 160);
  }
  // --events wrote, live, exactly the Parquet files of `rlx reconstruct` of the record.
  EXPECT_EQ(run.stats.events, "done") << run.stats.events_error;
  EXPECT_EQ(run.stats.events_rows, rs.rows);
  const auto live_files = parquet_files(run.events_dir);
  const auto record_files = parquet_files(ro.out_dir);
  EXPECT_FALSE(live_files.empty());
  ASSERT_EQ(live_files.size(), record_files.size());
  for (const auto& [name, bytes] : record_files) {
    const auto it = live_files.find(name);
    ASSERT_NE(it, live_files.end()) << name << " missing from the live events";
    EXPECT_TRUE(it->second == bytes) << name << " differs from the live events";
  }
  std::string report;
  run.stats.write_json(&report);
  if (HasFailure()) std::printf("%s\n", report.c_str());
}

INSTANTIATE_TEST_SUITE_P(
    Binance, CaptureReplay,
    ::testing::Values(std::make_tuple("cryptofeed/BINANCE.ws.1.0", Market::kSpot),
                      std::make_tuple("cryptofeed/BINANCE_FUTURES.ws.1.0", Market::kUsdM),
                      std::make_tuple("cryptofeed/BINANCE_DELIVERY.ws.1.0", Market::kCoinM),
                      std::make_tuple("hftbacktest/spot_btcusdt_20240808.gz", Market::kSpot),
                      std::make_tuple("hftbacktest/usdm_btcusdt_20240808.gz", Market::kUsdM),
                      std::make_tuple("hftbacktest/cm_btcusd_perp_20240808.gz", Market::kCoinM)));

}  // namespace
}  // namespace rlx::live
