#include "rlx/pipeline/report.h"

#include <fmt/format.h>

#include "rlx/core/json_writer.h"
#include "rlx/core/version.h"

namespace rlx::pipeline {

std::string report_json(const ReconstructSummary& summary) {
  JsonWriter w(/*pretty=*/true);
  w.begin_object();
  w.key("rlx_version").string(kVersion);
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
    std::string book;
    s.stats.write_json(&book);
    w.key("book").raw(book);
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
  out += fmt::format("rlx: output in {} (manifest.json, report.json)\n", out_dir);
  return out;
}

}  // namespace rlx::pipeline
