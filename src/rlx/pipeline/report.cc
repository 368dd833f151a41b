#include "rlx/pipeline/report.h"

#include <fmt/format.h>

#include "rlx/core/binary_io.h"
#include "rlx/core/json_writer.h"
#include "rlx/core/version.h"

namespace rlx::pipeline {

std::string report_json(const ReconstructSummary& summary) {
  JsonWriter w(/*pretty=*/true);
  w.begin_object();
  w.key("rlx_version").string(kVersion);
  const bool supervised = summary.mode == RunMode::kSupervised;
  if (supervised) {
    w.key("mode").string("supervised");
    w.key("workers").uint64(summary.workers);
    w.key("failed_symbols").uint64(summary.failed_symbols);
    if (!summary.input_error.empty()) w.key("input_error").string(summary.input_error);
  }
  w.key("messages").uint64(summary.messages);
  w.key("rows").uint64(summary.rows);
  w.key("quarantined_rows").uint64(summary.quarantined);
  w.key("filtered_out_messages").uint64(summary.filtered_out);
  w.key("symbols").begin_array();
  for (const SymbolSummary& s : summary.symbols) {
    w.begin_object();
    w.key("exchange").string(s.exchange);
    w.key("symbol").string(s.symbol);
    w.key("rows").uint64(s.rows);
    w.key("files").uint64(s.files);
    if (supervised) {
      w.key("outcome").string(s.failed ? "failed" : "ok");
      w.key("attempts").uint64(s.attempts);
      w.key("failures").begin_array();
      for (const std::string& f : s.failures) w.string(f);
      w.end_array();
      w.key("max_rss_bytes").uint64(s.max_rss_bytes);
    }
    std::string book;
    s.stats.write_json(&book);
    w.key("book").raw(book);
    if (!s.stream_json.empty()) w.key("stream").raw(s.stream_json);
    w.end_object();
  }
  w.end_array();
  w.key("inputs").begin_array();
  for (const InputSummary& in : summary.inputs) {
    w.begin_object();
    w.key("path").string(in.path);
    w.key("quarantined").uint64(in.quarantine.total());
    w.key("quarantine").begin_array();
    for (const auto& [reason, entry] : in.quarantine.reasons) {
      w.begin_object();
      w.key("reason").string(reason);
      w.key("count").uint64(entry.count);
      w.key("first_example").string(entry.first_example);
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.key("timing").begin_object();
  w.key("seconds").number(summary.seconds);
  const double secs = summary.seconds > 0 ? summary.seconds : 1e-9;
  w.key("rows_per_second").number(static_cast<double>(summary.rows) / secs);
  w.key("messages_per_second").number(static_cast<double>(summary.messages) / secs);
  w.end_object();
  w.end_object();
  return w.take() + "\n";
}

void log_quarantine(const Log& log, const InputSummary& input) {
  for (const auto& [reason, entry] : input.quarantine.reasons) {
    log.warn("input.quarantine", {{"input", input.path},
                                  {"reason", reason},
                                  {"count", entry.count},
                                  {"first", entry.first_example}});
  }
}

std::string human_summary(const ReconstructSummary& summary, const std::string& out_dir) {
  uint64_t gaps = 0, resyncs = 0, crossed = 0, unsynced = 0, matched = 0, mismatched = 0;
  uint64_t drift_snapshots = 0, drift_best = 0, stale = 0;
  for (const SymbolSummary& s : summary.symbols) {
    gaps += s.stats.gaps;
    resyncs += s.stats.resyncs;
    crossed += s.stats.crossed;
    unsynced += s.stats.unsynced_events;
    matched += s.stats.ticker_matched;
    mismatched += s.stats.ticker_mismatched;
    drift_snapshots += s.stats.drift.count;
    drift_best += s.stats.drift.best_mismatches;
    stale += s.stats.stale + s.stats.stale_snapshots + s.stats.dropped_before_snapshot;
  }
  const double secs = summary.seconds > 0 ? summary.seconds : 1e-9;
  std::string out =
      fmt::format("rlx: {} rows from {} messages, {} symbol(s), in {:.2f} s ({:.0f} rows/s)\n",
                  summary.rows, summary.messages, summary.symbols.size(), summary.seconds,
                  static_cast<double>(summary.rows) / secs);
  out +=
      fmt::format("rlx: gaps {}, resyncs {}, crossed books {}, unsynced rows {}, quarantined {}\n",
                  gaps, resyncs, crossed, unsynced, summary.quarantined);
  if (drift_snapshots > 0) {
    out += fmt::format("rlx: drift: {} of {} snapshots found the book's best bid/ask differing\n",
                       drift_best, drift_snapshots);
  }
  if (stale > 0) {
    out += fmt::format("rlx: {} messages older than the book were not applied (see report.json)\n",
                       stale);
  }
  if (matched + mismatched > 0) {
    out += fmt::format("rlx: exchange bookTicker checks: {} matched, {} mismatched\n", matched,
                       mismatched);
  }
  for (const SymbolSummary& s : summary.symbols) {
    if (!s.failed) continue;
    out += fmt::format("rlx: FAILED {} {} after {} attempt(s): {}\n", s.exchange, s.symbol,
                       s.attempts, s.failures.empty() ? "" : s.failures.back());
  }
  if (!summary.input_error.empty()) {
    out += fmt::format("rlx: input error: {}\n", summary.input_error);
  }
  out += fmt::format("rlx: output in {} (manifest.json, report.json)\n", out_dir);
  return out;
}

namespace {
constexpr uint32_t kSummaryTag = make_tag("RSM", 3);
}  // namespace

std::string serialize_summary(const ReconstructSummary& summary) {
  std::string out;
  BinaryWriter w(&out);
  w.u32(kSummaryTag);
  w.u64(summary.symbols.size());
  for (const SymbolSummary& s : summary.symbols) {
    w.str(s.exchange);
    w.str(s.symbol);
    w.u64(s.rows);
    w.u64(s.files);
    s.stats.save(w);
    w.str(s.stream_json);
  }
  w.u64(summary.inputs.size());
  for (const InputSummary& in : summary.inputs) {
    w.str(in.path);
    w.u64(in.quarantine.reasons.size());
    for (const auto& [reason, entry] : in.quarantine.reasons) {
      w.str(reason);
      w.u64(entry.count);
      w.str(entry.first_example);
    }
  }
  for (const uint64_t v :
       {summary.messages, summary.rows, summary.quarantined, summary.filtered_out}) {
    w.u64(v);
  }
  w.f64(summary.seconds);
  return out;
}

ReconstructSummary parse_summary(std::string_view bytes) {
  BinaryReader r(bytes);
  r.expect_tag(kSummaryTag, "worker summary");
  ReconstructSummary summary;
  summary.symbols.resize(r.count("summary symbols", 16));
  for (SymbolSummary& s : summary.symbols) {
    s.exchange = r.str("summary exchange");
    s.symbol = r.str("summary symbol");
    s.rows = r.u64("summary rows");
    s.files = r.u64("summary files");
    s.stats = book::BookStats::load(r);
    s.stream_json = r.str("summary stream");
  }
  summary.inputs.resize(r.count("summary inputs", 16));
  for (InputSummary& in : summary.inputs) {
    in.path = r.str("summary input");
    in.quarantine.reasons.resize(r.count("summary quarantine", 24));
    for (auto& [reason, entry] : in.quarantine.reasons) {
      reason = r.str("quarantine reason");
      entry.count = r.u64("quarantine count");
      entry.first_example = r.str("quarantine example");
    }
  }
  for (uint64_t* v :
       {&summary.messages, &summary.rows, &summary.quarantined, &summary.filtered_out}) {
    *v = r.u64("summary counter");
  }
  summary.seconds = r.f64("summary seconds");
  r.expect_end("worker summary");
  return summary;
}

}  // namespace rlx::pipeline
