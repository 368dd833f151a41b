#include "rlx/pipeline/convert.h"

#include <algorithm>
#include <map>
#include <memory>
#include <vector>

#include "rlx/book/book_engine.h"
#include "rlx/core/error.h"
#include "rlx/durability/durable_file.h"
#include "rlx/io/lake_writer.h"
#include "rlx/pipeline/options_check.h"
#include "rlx/pipeline/reconstruct.h"
#include "rlx/replay/replayer.h"

namespace rlx::pipeline {
namespace {

// Watches the rebuilt book and writes a `book` row once per interval.
class BookSampler : public book::EventConsumer {
 public:
  BookSampler(const book::BookEngine* engine, io::LakeWriter* writer, int64_t interval_ns)
      : engine_(engine), writer_(writer), interval_ns_(interval_ns) {}

  void on_event(const Event& event, const book::OrderBook& book) override {
    if (!event.last_in_message || event.type == EventType::kTrade) return;
    if (event.origin_time == kNull || !engine_->synced()) return;
    if (event.origin_time < next_due_) return;
    bids_.clear();
    asks_.clear();
    for (size_t i = 0; i < std::min<size_t>(book.depth(Side::kBid), io::LakeWriter::kBookDepth);
         ++i) {
      bids_.push_back(book.level(Side::kBid, i));
    }
    for (size_t i = 0; i < std::min<size_t>(book.depth(Side::kAsk), io::LakeWriter::kBookDepth);
         ++i) {
      asks_.push_back(book.level(Side::kAsk, i));
    }
    writer_->add_book(event.origin_time, event.received_time, event.update_id, bids_, asks_);
    next_due_ = (event.origin_time / interval_ns_ + 1) * interval_ns_;
  }

 private:
  const book::BookEngine* engine_;
  io::LakeWriter* writer_;
  int64_t interval_ns_;
  int64_t next_due_ = 0;
  std::vector<Level> bids_;
  std::vector<Level> asks_;
};

struct SymbolConverter {
  std::unique_ptr<book::BookEngine> engine;
  std::unique_ptr<io::LakeWriter> writer;
  std::unique_ptr<BookSampler> sampler;
};

}  // namespace

ConvertSummary convert_to_lake(const ConvertOptions& options) {
  if (options.snapshot_interval_ns <= 0) {
    throw Error(StatusCode::kInvalidArgument, "--snapshot-interval-ms must be positive");
  }
  if (options.inputs.empty() || options.out_dir.empty()) {
    throw Error(StatusCode::kInvalidArgument, "convert needs --input and --out");
  }
  check_paths(options.inputs, options.out_dir);
  const std::unique_ptr<durability::FileLock> lock = lock_out_dir(options.out_dir);
  ReconstructOptions ro;
  ro.source = SourceKind::kBinanceRaw;
  ro.inputs = options.inputs;
  ro.symbols = options.symbols;
  ro.on_bad_row = options.on_bad_row;
  std::vector<std::string> names;
  replay::Replayer replayer(open_readers(ro, &names), replay::ReplayOptions{});

  std::map<std::pair<std::string, std::string>, SymbolConverter> symbols;
  ConvertSummary summary;
  Progress progress(options.progress, "convert");
  std::vector<Message> batch;
  while (replayer.next_batch(&batch)) {
    for (const Message& m : batch) {
      auto [it, inserted] = symbols.try_emplace({m.exchange, m.symbol});
      SymbolConverter& c = it->second;
      if (inserted) {
        c.engine = std::make_unique<book::BookEngine>();
        io::LakeWriterOptions wo;
        wo.root = options.out_dir;
        wo.exchange = m.exchange;
        wo.symbol = m.symbol;
        c.writer = std::make_unique<io::LakeWriter>(wo);
        c.sampler = std::make_unique<BookSampler>(c.engine.get(), c.writer.get(),
                                                  options.snapshot_interval_ns);
      }
      if (m.kind == MessageKind::kTrade) c.writer->add_trade(m);
      if (m.kind == MessageKind::kDelta) c.writer->add_delta(m);
      c.engine->on_message(m, *c.sampler);
    }
    summary.messages += batch.size();
    if (progress.enabled()) {
      uint64_t done = 0, total = 0;
      for (size_t i = 0; i < replayer.source_count(); ++i) {
        done += replayer.source(i).bytes_done();
        total += replayer.source(i).bytes_total();
      }
      progress.update(done, total, summary.messages);
    }
  }
  for (size_t i = 0; i < replayer.source_count(); ++i) {
    summary.quarantined += replayer.source(i).quarantine().total();
  }
  for (auto& [key, c] : symbols) {
    c.engine->finish(*c.sampler);
    std::vector<std::filesystem::path> files = c.writer->close();
    const io::LakeWriterStats& st = c.writer->stats();
    summary.trade_rows += st.trade_rows;
    summary.delta_rows += st.delta_rows;
    summary.book_rows += st.book_rows;
    summary.inexact_values += st.inexact_values;
    summary.files.insert(summary.files.end(), files.begin(), files.end());
  }
  progress.finish(0, 0, summary.messages);
  return summary;
}

}  // namespace rlx::pipeline
