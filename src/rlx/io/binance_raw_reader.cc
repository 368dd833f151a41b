#include "rlx/io/binance_raw_reader.h"

#include <charconv>
#include <filesystem>

#include "rlx/binance/capture_line.h"
#include "rlx/binance/payload_parser.h"
#include "rlx/binance/venue.h"
#include "rlx/core/error.h"
#include "rlx/io/line_reader.h"

namespace rlx::io {

const char* binance_exchange_name(Market market) { return binance::exchange_name(market); }

namespace {

// A line whose frame (timestamp prefix) cannot be read: the quarantine category, field, detail.
struct BadLine {
  std::string reason;
  std::string field;
  std::string what;
};

[[noreturn]] void bad_line(std::string reason, std::string field, std::string what) {
  throw BadLine{std::move(reason), std::move(field), std::move(what)};
}

}  // namespace

class BinanceRawReader::Impl {
 public:
  Impl(const std::string& path, const BinanceRawOptions& options);
  Impl(std::unique_ptr<LineSource> lines, BinanceFormat format, const BinanceRawOptions& options);

  bool next(Message* out);
  const Quarantine& quarantine() const { return quarantine_; }
  std::shared_ptr<const ReaderPosition> position() const;
  void seek(BinaryReader& saved);
  BinanceFormat format() const { return format_; }
  Market market() const {
    if (options_.market != Market::kUnknown) return options_.market;
    if (sources_[0].url_market != Market::kUnknown) return sources_[0].url_market;
    return parser_.learned_market();
  }

 private:
  struct LineRef {
    std::string_view json;
    std::string_view url;  // cryptofeed REST line: the request url
    uint64_t row = 0;
    int64_t received = kNull;
  };
  struct Source {
    std::unique_ptr<LineSource> lines;
    LineReader* file = nullptr;       // lines, when it is a file (seekable)
    LineReader::Mark before_pending;  // the position before `pending` (file only)
    bool http = false;                // cryptofeed `X.http.0.0`: `<url> -> <epoch s>: <json>`
    Market url_market = Market::kUnknown;
    bool need_read = true;
    bool done = false;
    LineRef pending;
  };

  bool read_pending(Source* src);
  bool parse_line(const Source& src, const LineRef& ref, Message* out);
  const std::string& snapshot_symbol_for_file(const Source& src, const LineRef& ref);
  void note_symbol(const std::string& symbol, const Source& src, const LineRef& ref);
  void handle_bad(const BadLine& b, const std::string& file, uint64_t row);

  std::string path_;
  BinanceRawOptions options_;
  BinanceFormat format_ = BinanceFormat::kUnknown;
  std::vector<Source> sources_;  // [0] the given file; [1] the cryptofeed REST sibling
  Quarantine quarantine_;

  // Symbol bookkeeping for REST snapshots that carry no symbol (spot hftbacktest).
  std::string file_symbol_;
  bool multi_symbol_ = false;
  bool symbolless_snapshot_ = false;
  std::string second_symbol_;

  binance::PayloadParser parser_;
};

BinanceRawReader::Impl::Impl(const std::string& path, const BinanceRawOptions& options)
    : path_(path), options_(options) {
  for (auto& s : options_.symbols) binance::to_upper(std::string(s), &s);

  // Detect the format from the first non-empty line (a short-lived second handle).
  {
    LineReader probe(path_);
    std::string_view line;
    while (probe.next(&line) && line.empty()) {
    }
    if (line.empty()) {
      format_ = BinanceFormat::kHftbacktest;  // empty file: no messages either way
    } else {
      format_ = binance::detect_capture_format(line);
      if (format_ == BinanceFormat::kUnknown) {
        throw bad_input(Location{path_, probe.line_number(), ""},
                        "unrecognised Binance capture format (expected hftbacktest "
                        "'<ns> {json}', cryptofeed '<url> <-> <s>' or golden "
                        "'{\"capture_ns\":..}')");
      }
    }
  }
  Source main;
  auto main_file = std::make_unique<LineReader>(path_);
  main.file = main_file.get();
  main.lines = std::move(main_file);
  namespace fs = std::filesystem;
  const std::string name = fs::path(path_).filename().string();
  if (format_ == BinanceFormat::kCryptofeed && name.find(".ws.") == std::string::npos &&
      name.find(".http.") != std::string::npos) {
    main.http = true;
  }
  sources_.push_back(std::move(main));
  if (format_ == BinanceFormat::kCryptofeed && !sources_[0].http) {
    // `X.ws.<a>.<b>` -> `X.http.0.0`
    const size_t ws = name.rfind(".ws.");
    if (ws != std::string::npos) {
      const fs::path sibling = fs::path(path_).parent_path() / (name.substr(0, ws) + ".http.0.0");
      if (fs::exists(sibling)) {
        Source http;
        auto http_file = std::make_unique<LineReader>(sibling.string());
        http.file = http_file.get();
        http.lines = std::move(http_file);
        http.http = true;
        sources_.push_back(std::move(http));
      }
    }
  }
}

BinanceRawReader::Impl::Impl(std::unique_ptr<LineSource> lines, BinanceFormat format,
                             const BinanceRawOptions& options)
    : path_(lines->path()), options_(options), format_(format) {
  for (auto& s : options_.symbols) binance::to_upper(std::string(s), &s);
  Source main;
  main.lines = std::move(lines);
  main.http = format_ == BinanceFormat::kCryptofeed && path_.find(".http.") != std::string::npos;
  sources_.push_back(std::move(main));
}

void BinanceRawReader::Impl::handle_bad(const BadLine& b, const std::string& file, uint64_t row) {
  const Location where{file, row, b.field};
  if (options_.on_bad_row == BadRowPolicy::kFail) throw bad_input(where, b.what);
  quarantine_.add(b.reason, Error::format(where, b.what));
}

// Reads the next usable line of `src` into src->pending (false at its end).
bool BinanceRawReader::Impl::read_pending(Source* src) {
  std::string_view line;
  for (;;) {
    if (src->file != nullptr) src->before_pending = src->file->mark();
    if (!src->lines->next(&line)) {
      src->done = true;
      if (src->lines->torn_tail()) {
        // A capture segment whose writer was killed (or is still writing): its whole lines
        // are read; the torn last frame is counted, never guessed at.
        const std::string what =
            "unfinished capture segment: the file ends inside its last zstd frame; its partial "
            "last line is not read";
        quarantine_.add(
            "unfinished capture segment",
            Error::format(Location{src->lines->path(), src->lines->line_number() + 1, ""}, what));
      }
      return false;
    }
    if (line.empty()) continue;  // blank lines (cryptofeed files end with one) carry nothing
    LineRef& ref = src->pending;
    ref = LineRef{};
    ref.row = src->lines->line_number();
    binance::CaptureLine parts;
    std::string field, what;
    if (!binance::split_capture_line(format_, src->http, line, &parts, &field, &what)) {
      bad_line("bad local timestamp", field, what);
    }
    if (parts.header) {
      src->url_market = binance::market_from_url(parts.header_url);
      continue;
    }
    ref.json = parts.json;
    ref.url = parts.url;
    ref.received = parts.received;
    return true;
  }
}

bool BinanceRawReader::Impl::next(Message* out) {
  for (;;) {
    // Refill every source whose pending line was consumed, then take the earliest (ties: the
    // websocket file first, so a snapshot follows the diffs received at the same instant).
    Source* pick = nullptr;
    bool retry = false;
    for (auto& src : sources_) {
      if (src.need_read && !src.done) {
        try {
          if (read_pending(&src)) src.need_read = false;
        } catch (const BadLine& b) {
          handle_bad(b, src.lines->path(), src.lines->line_number());
          retry = true;  // the bad line is consumed; read that source again
          break;
        }
      }
      if (src.done || src.need_read) continue;
      if (pick == nullptr || src.pending.received < pick->pending.received) pick = &src;
    }
    if (retry) continue;
    if (pick == nullptr) return false;
    pick->need_read = true;
    if (parse_line(*pick, pick->pending, out)) return true;
  }
}

// One line's payload; false when it gives no message (quarantined, unsupported or filtered).
bool BinanceRawReader::Impl::parse_line(const Source& src, const LineRef& ref, Message* out) {
  binance::PayloadContext context;
  context.url = ref.url;
  context.market = options_.market != Market::kUnknown ? options_.market : sources_[0].url_market;
  context.received_time = ref.received;
  context.golden = format_ == BinanceFormat::kGolden;
  switch (parser_.parse(ref.json, context, out)) {
    case binance::PayloadResult::kMessage:
      break;
    case binance::PayloadResult::kUnsupported: {
      // Never silently dropped: counted under the stream (or event) name, whatever the policy.
      const std::string& reason = parser_.problem().reason;
      quarantine_.add(reason, Error::format(Location{src.lines->path(), ref.row, ""}, reason));
      return false;
    }
    case binance::PayloadResult::kBad: {
      const binance::PayloadProblem& p = parser_.problem();
      handle_bad(BadLine{p.reason, p.field, p.what}, src.lines->path(), ref.row);
      return false;
    }
  }
  // A REST snapshot that names no symbol belongs to the file's only symbol.
  const bool from_file = out->symbol.empty();
  if (from_file) out->symbol = snapshot_symbol_for_file(src, ref);
  const bool requested = symbol_matches(options_.symbols, out->symbol);
  if (requested && options_.check_names && !valid_partition_name(out->symbol)) {
    handle_bad(
        BadLine{"bad symbol", parser_.symbol_field(), partition_name_error("symbol", out->symbol)},
        src.lines->path(), ref.row);
    return false;
  }
  if (!from_file) note_symbol(out->symbol, src, ref);
  if (!requested) return false;  // filtered out on request
  if (out->kind == MessageKind::kTicker && !options_.emit_tickers) return false;
  out->source = options_.source;
  out->source_row = ref.row;
  return true;
}

void BinanceRawReader::Impl::note_symbol(const std::string& symbol, const Source& src,
                                         const LineRef& ref) {
  if (file_symbol_.empty()) {
    file_symbol_ = symbol;
  } else if (!multi_symbol_ && symbol != file_symbol_) {
    multi_symbol_ = true;
    second_symbol_ = symbol;
  }
  if (multi_symbol_ && symbolless_snapshot_) {
    throw bad_input(Location{src.lines->path(), ref.row, "s"},
                    "the file holds a REST snapshot without a symbol (attributed to " +
                        file_symbol_ + ") and also symbol " + second_symbol_ +
                        ": the snapshot's symbol is ambiguous");
  }
}

// The symbol of a REST snapshot that carries none: the only symbol of the file. When no message
// with a symbol came yet, a second handle reads ahead to the first one (bounded memory).
const std::string& BinanceRawReader::Impl::snapshot_symbol_for_file(const Source& src,
                                                                    const LineRef& ref) {
  if (multi_symbol_) {
    throw bad_input(Location{src.lines->path(), ref.row, "symbol"},
                    "REST snapshot without a symbol in a file with several symbols (" +
                        file_symbol_ + ", " + second_symbol_ + ")");
  }
  if (file_symbol_.empty()) {
    if (!src.lines->rereadable()) {
      throw bad_input(Location{src.lines->path(), ref.row, "symbol"},
                      "REST snapshot without a symbol before any message that names one");
    }
    LineReader ahead(src.lines->path());
    std::string_view line;
    while (ahead.next(&line)) {
      const size_t at = line.find("\"s\":\"");
      if (at == std::string_view::npos) continue;
      const size_t end = line.find('"', at + 5);
      if (end == std::string_view::npos) continue;
      binance::to_upper(line.substr(at + 5, end - at - 5), &file_symbol_);
      break;
    }
    if (file_symbol_.empty()) {
      throw bad_input(Location{src.lines->path(), ref.row, "symbol"},
                      "REST snapshot without a symbol, and no other message in the file names "
                      "one");
    }
  }
  symbolless_snapshot_ = true;
  return file_symbol_;
}

namespace {

constexpr uint32_t kPositionTag = make_tag("BRP", 1);

// A BinanceRawReader's state after a message (BinanceRawReader::position).
struct BinanceRawPosition final : ReaderPosition {
  struct File {
    bool done = false;
    Market url_market = Market::kUnknown;
    LinePosition line;
  };
  std::vector<File> files;
  std::string file_symbol;
  std::string second_symbol;
  bool multi_symbol = false;
  bool symbolless_snapshot = false;
  Market learned_market = Market::kUnknown;
  Quarantine quarantine;

  void save(BinaryWriter& w) const override {
    w.u32(kPositionTag);
    w.u64(files.size());
    for (const File& f : files) {
      w.boolean(f.done);
      w.u8(static_cast<uint8_t>(f.url_market));
      f.line.save(w);
    }
    w.str(file_symbol);
    w.str(second_symbol);
    w.boolean(multi_symbol);
    w.boolean(symbolless_snapshot);
    w.u8(static_cast<uint8_t>(learned_market));
    quarantine.save(w);
  }

  static BinanceRawPosition load(BinaryReader& r) {
    r.expect_tag(kPositionTag, "BinanceRawPosition");
    BinanceRawPosition p;
    p.files.resize(r.count("BinanceRawPosition.files", 2));
    for (File& f : p.files) {
      f.done = r.u8("BinanceRawPosition.done") != 0;
      f.url_market = static_cast<Market>(r.u8("BinanceRawPosition.url_market"));
      f.line = LinePosition::load(r);
    }
    p.file_symbol = r.str("BinanceRawPosition.file_symbol");
    p.second_symbol = r.str("BinanceRawPosition.second_symbol");
    p.multi_symbol = r.u8("BinanceRawPosition.multi_symbol") != 0;
    p.symbolless_snapshot = r.u8("BinanceRawPosition.symbolless_snapshot") != 0;
    p.learned_market = static_cast<Market>(r.u8("BinanceRawPosition.learned_market"));
    p.quarantine = Quarantine::load(r);
    return p;
  }
};

}  // namespace

std::shared_ptr<const ReaderPosition> BinanceRawReader::Impl::position() const {
  auto p = std::make_shared<BinanceRawPosition>();
  for (const Source& src : sources_) {
    if (src.file == nullptr) return nullptr;  // a live feed
    BinanceRawPosition::File f;
    f.done = src.done;
    f.url_market = src.url_market;
    // A line read but not used yet is read again after a seek; an ended file is not read.
    if (!src.done) {
      f.line = src.file->position(src.need_read ? src.file->mark() : src.before_pending);
    }
    p->files.push_back(std::move(f));
  }
  p->file_symbol = file_symbol_;
  p->second_symbol = second_symbol_;
  p->multi_symbol = multi_symbol_;
  p->symbolless_snapshot = symbolless_snapshot_;
  p->learned_market = parser_.learned_market();
  p->quarantine = quarantine_;
  return p;
}

void BinanceRawReader::Impl::seek(BinaryReader& saved) {
  BinanceRawPosition p = BinanceRawPosition::load(saved);
  if (p.files.size() != sources_.size()) {
    throw bad_input(Location{path_, 0, ""},
                    "the checkpoint's position reads " + std::to_string(p.files.size()) +
                        " file(s), this input " + std::to_string(sources_.size()));
  }
  for (size_t i = 0; i < sources_.size(); ++i) {
    Source& src = sources_[i];
    src.url_market = p.files[i].url_market;
    src.need_read = true;
    src.done = p.files[i].done;  // an ended file is not read again (its end was counted)
    if (src.file == nullptr) throw Error(StatusCode::kInternal, "seek on a live feed");
    if (!src.done) src.file->seek(p.files[i].line);
  }
  file_symbol_ = std::move(p.file_symbol);
  second_symbol_ = std::move(p.second_symbol);
  multi_symbol_ = p.multi_symbol;
  symbolless_snapshot_ = p.symbolless_snapshot;
  parser_.set_learned_market(p.learned_market);
  quarantine_ = std::move(p.quarantine);
}

BinanceRawReader::BinanceRawReader(const std::string& path, const BinanceRawOptions& options)
    : impl_(std::make_unique<Impl>(path, options)) {}
BinanceRawReader::BinanceRawReader(std::unique_ptr<LineSource> lines, BinanceFormat format,
                                   const BinanceRawOptions& options)
    : impl_(std::make_unique<Impl>(std::move(lines), format, options)) {}
BinanceRawReader::~BinanceRawReader() = default;
bool BinanceRawReader::next(Message* out) { return impl_->next(out); }
const Quarantine& BinanceRawReader::quarantine() const { return impl_->quarantine(); }
std::shared_ptr<const ReaderPosition> BinanceRawReader::position() const {
  return impl_->position();
}
void BinanceRawReader::seek(BinaryReader& saved) { impl_->seek(saved); }
BinanceFormat BinanceRawReader::format() const { return impl_->format(); }
Market BinanceRawReader::market() const { return impl_->market(); }

}  // namespace rlx::io
