#include "rlx/binance/payload_parser.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>
#include <optional>

#include "rlx/binance/venue.h"

namespace rlx::binance {

const char* exchange_name(Market market) {
  switch (market) {
    case Market::kUsdM:
      return "binance-futures";
    case Market::kCoinM:
      return "binance-delivery";
    case Market::kSpot:
    case Market::kUnknown:
      break;
  }
  return "binance";
}

// Market from a Binance host name (ws or REST), kUnknown if not recognised.
Market market_from_url(std::string_view url) {
  const size_t scheme = url.find("://");
  std::string_view host = scheme == std::string_view::npos ? url : url.substr(scheme + 3);
  host = host.substr(0, host.find_first_of(":/?"));
  if (host.find("fstream") != std::string_view::npos || host.find("fapi") != std::string_view::npos)
    return Market::kUsdM;
  if (host.find("dstream") != std::string_view::npos || host.find("dapi") != std::string_view::npos)
    return Market::kCoinM;
  if (host.find("binance") != std::string_view::npos) return Market::kSpot;
  return Market::kUnknown;
}

namespace {

namespace od = simdjson::ondemand;

constexpr int64_t kNsPerMs = 1'000'000;
// The last event time (ms) whose ns still fit an int64 (year 2262).
constexpr int64_t kMaxEventMs = std::numeric_limits<int64_t>::max() / kNsPerMs;

// A row that cannot be trusted: `reason` is the quarantine category, `field` and `what` the detail.
struct BadRow {
  std::string reason;
  std::string field;
  std::string what;
};

[[noreturn]] void bad_row(std::string reason, std::string field, std::string what) {
  throw BadRow{std::move(reason), std::move(field), std::move(what)};
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Value of the `symbol=` query parameter of a REST url, or empty.
std::string_view url_symbol(std::string_view url) {
  const size_t q = url.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view query = url.substr(q + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    if (param.substr(0, 7) == "symbol=") return param.substr(7);
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
  return {};
}

// The text of a JSON string or number token: quotes stripped, whitespace trimmed.
// Returns false for null, booleans, objects and arrays.
bool scalar_text(od::value& v, std::string_view* out) {
  std::string_view tok = v.raw_json_token();
  while (!tok.empty() &&
         (tok.back() == ' ' || tok.back() == '\t' || tok.back() == '\r' || tok.back() == '\n'))
    tok.remove_suffix(1);
  if (tok.empty()) return false;
  if (tok.front() == '"') {
    if (tok.size() < 2 || tok.back() != '"') return false;
    *out = tok.substr(1, tok.size() - 2);
    return true;
  }
  if (tok.front() == '-' || is_digit(tok.front())) {
    *out = tok;
    return true;
  }
  return false;
}

constexpr int64_t kPow10[19] = {1,
                                10,
                                100,
                                1000,
                                10000,
                                100000,
                                1000000,
                                10000000,
                                100000000,
                                1000000000,
                                10000000000,
                                100000000000,
                                1000000000000,
                                10000000000000,
                                100000000000000,
                                1000000000000000,
                                10000000000000000,
                                100000000000000000,
                                1000000000000000000};

// The common case of Binance text, "61737.63000000": digits, an optional fraction, at most 19
// digits in all (they fit a uint64) and 18 fractional ones. Exact; anything else goes to
// Decimal::parse.
inline bool parse_plain_decimal(std::string_view s, Decimal* out) {
  const size_t n = s.size();
  if (n == 0 || n > 20) return false;
  uint64_t v = 0;
  size_t i = 0;
  for (; i < n && is_digit(s[i]); ++i) v = v * 10 + static_cast<uint64_t>(s[i] - '0');
  if (i == 0) return false;
  size_t frac = 0;
  if (i < n && s[i] == '.') {
    const size_t start = ++i;
    for (; i < n && is_digit(s[i]); ++i) v = v * 10 + static_cast<uint64_t>(s[i] - '0');
    frac = i - start;
    if (frac == 0) return false;
  }
  if (i != n || frac > 18 || n - (frac > 0 ? 1 : 0) > 19) return false;
  *out = Decimal::from_raw(static_cast<__int128>(v) * kPow10[Decimal::kScale - frac]);
  return true;
}

// Exact price/size; `what` is "price" or "size". Rejects empty, NaN/inf, junk and negatives.
Decimal parse_amount(std::string_view text, const char* what, const std::string& field) {
  Decimal d;
  if (parse_plain_decimal(text, &d)) return d;
  if (!Decimal::parse(text, &d)) {
    std::string lower(text);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (text.empty()) bad_row(std::string("empty ") + what, field, std::string("empty ") + what);
    if (lower.find("nan") != std::string::npos || lower.find("inf") != std::string::npos) {
      bad_row(std::string("non-finite ") + what, field,
              std::string("non-finite ") + what + " '" + std::string(text) + "'");
    }
    bad_row(std::string("bad ") + what, field,
            std::string("not an exact decimal ") + what + ": '" + std::string(text) + "'");
  }
  if (d.is_negative()) {
    bad_row(std::string("negative ") + what, field,
            std::string("negative ") + what + " '" + std::string(text) + "'");
  }
  return d;
}

std::string simdjson_what(simdjson::error_code e) {
  return std::string("malformed JSON (") + simdjson::error_message(e) + ")";
}

[[noreturn]] void malformed(simdjson::error_code e, const std::string& field = "") {
  bad_row("malformed JSON", field, simdjson_what(e));
}

// Fields of one Binance payload, collected in one pass in whatever order they come.
struct Fields {
  std::string_view stream;
  std::string_view e;
  std::string_view s;
  std::string_view symbol;  // COIN-M REST snapshot
  int64_t capture_ns = kNull;
  int64_t E = kNull;
  int64_t U = kNull;
  int64_t u = kNull;
  int64_t pu = kNull;
  int64_t last_update_id = kNull;
  int64_t t = kNull;     // trade id
  int64_t a_id = kNull;  // aggTrade id ("a" as a number)
  std::optional<std::string_view> p, q, b_str, a_str, B, A;
  std::optional<bool> m;
  bool has_ps = false;
  bool has_pair = false;
  bool has_T = false;
  bool has_X = false;
  bool has_M = false;
  bool has_bid_levels = false;  // "b" or "bids" array
  bool has_ask_levels = false;  // "a" or "asks" array
  bool asks_first = false;
};

// A value of the wrong JSON type is a bad field; a token that is no JSON value is malformed JSON.
[[noreturn]] void bad_value(od::value& v, const char* reason, const char* field,
                            const char* expected, simdjson::error_code err) {
  const std::string_view tok = v.raw_json_token();
  const char c = tok.empty() ? '\0' : tok.front();
  const bool json_value = c == '"' || c == '-' || is_digit(c) || c == 't' || c == 'f' || c == 'n' ||
                          c == '{' || c == '[';
  if (!json_value) malformed(err, field);
  bad_row(reason, field,
          std::string("expected ") + expected + ", got " + std::string(tok.substr(0, 40)) + " (" +
              simdjson::error_message(err) + ")");
}

int64_t get_int(od::value& v, const char* field) {
  int64_t x = 0;
  if (auto err = v.get_int64().get(x)) bad_value(v, "bad integer", field, "an integer", err);
  return x;
}

std::string_view get_str(od::value& v, const char* field) {
  std::string_view x;
  if (auto err = v.get_string().get(x)) bad_value(v, "bad string", field, "a string", err);
  return x;
}

}  // namespace

class PayloadParser::Impl {
 public:
  PayloadResult parse(std::string_view json, const PayloadContext& context, Message* out);
  const PayloadProblem& problem() const { return problem_; }
  const char* symbol_field() const { return symbol_field_; }
  Market learned_market() const { return learned_market_; }
  void set_learned_market(Market m) { learned_market_ = m; }

 private:
  void parse_object(std::string_view json, Fields* f, Message* out);
  void on_data_field(std::string_view key, od::value& v, Fields* f, Message* out);
  void parse_levels(od::value& v, Side side, const char* name, Message* out);
  PayloadResult finish(const PayloadContext& context, Fields& f, Message* out);
  Market decide_market(const PayloadContext& context, const Fields& f, std::string_view symbol,
                       bool snapshot, bool trade, bool delta);

  PayloadProblem problem_;
  const char* symbol_field_ = "s";
  Market learned_market_ = Market::kUnknown;
  od::parser parser_;
  std::unique_ptr<char[]> pad_;
  size_t pad_cap_ = 0;
  std::string field_scratch_;
};

void PayloadParser::Impl::parse_levels(od::value& v, Side side, const char* name, Message* out) {
  od::array arr;
  if (auto err = v.get_array().get(arr)) {
    bad_row("bad levels", name,
            std::string("expected an array of [price, size]: ") + simdjson::error_message(err));
  }
  size_t index = 0;
  for (auto item : arr) {
    od::array pair;
    if (auto err = item.get_array().get(pair)) {
      field_scratch_.assign(name).append("[").append(std::to_string(index)).append("]");
      bad_row("bad levels", field_scratch_,
              std::string("expected [price, size]: ") + simdjson::error_message(err));
    }
    std::string_view price_text, size_text;
    int32_t k = 0;
    for (auto elem : pair) {
      od::value ev;
      if (auto err = elem.get(ev)) malformed(err, name);
      if (k < 2) {
        std::string_view* dst = k == 0 ? &price_text : &size_text;
        if (!scalar_text(ev, dst)) {
          field_scratch_.assign(name).append("[").append(std::to_string(index)).append("][");
          field_scratch_.append(std::to_string(k)).append("]");
          bad_row(k == 0 ? "bad price" : "bad size", field_scratch_,
                  "expected a decimal string, got " + std::string(ev.raw_json_token()));
        }
      }
      ++k;
    }
    if (k < 2) {
      field_scratch_.assign(name).append("[").append(std::to_string(index)).append("]");
      bad_row("missing field", field_scratch_, "expected [price, size]");
    }
    LevelUpdate& lv = out->levels.emplace_back();
    lv.side = side;
    Decimal d;
    // Fast path: well-formed non-negative decimals; the slow path builds the error.
    if (parse_plain_decimal(price_text, &d)) {
      lv.price = d;
    } else {
      field_scratch_.assign(name).append("[").append(std::to_string(index)).append("][0]");
      lv.price = parse_amount(price_text, "price", field_scratch_);
    }
    if (parse_plain_decimal(size_text, &d)) {
      lv.size = d;
    } else {
      field_scratch_.assign(name).append("[").append(std::to_string(index)).append("][1]");
      lv.size = parse_amount(size_text, "size", field_scratch_);
    }
    ++index;
  }
}

void PayloadParser::Impl::on_data_field(std::string_view key, od::value& v, Fields* f,
                                        Message* out) {
  std::string_view text;
  switch (key.size()) {
    case 1:
      switch (key[0]) {
        case 'e':
          f->e = get_str(v, "e");
          return;
        case 'E':
          f->E = get_int(v, "E");
          if (f->E < 0 || f->E > kMaxEventMs) {  // its ns (origin_time) would overflow
            bad_row("bad event time", "E",
                    "event time out of range (ms since 1970 up to 2262): " + std::to_string(f->E));
          }
          return;
        case 's':
          f->s = get_str(v, "s");
          return;
        case 'U':
          f->U = get_int(v, "U");
          return;
        case 'u':
          f->u = get_int(v, "u");
          return;
        case 't':
          f->t = get_int(v, "t");
          return;
        case 'T':
          f->has_T = true;
          return;
        case 'X':
          f->has_X = true;
          return;
        case 'M':
          f->has_M = true;
          return;
        case 'm': {
          bool m = false;
          if (auto err = v.get_bool().get(m)) {
            bad_row("bad boolean", "m",
                    std::string("expected true/false: ") + simdjson::error_message(err));
          }
          f->m = m;
          return;
        }
        case 'p':
        case 'q':
        case 'B':
        case 'A':
          if (!scalar_text(v, &text)) {
            bad_row(key[0] == 'p' || key[0] == 'b' ? "bad price" : "bad size", std::string(key),
                    "expected a decimal string, got " + std::string(v.raw_json_token()));
          }
          (key[0] == 'p' ? f->p : key[0] == 'q' ? f->q : key[0] == 'B' ? f->B : f->A) = text;
          return;
        case 'a':
        case 'b': {
          od::json_type type;
          if (auto err = v.type().get(type)) malformed(err, std::string(key));
          const bool bid = key[0] == 'b';
          if (type == od::json_type::array) {
            if (bid) {
              f->has_bid_levels = true;
              parse_levels(v, Side::kBid, "b", out);
            } else {
              f->has_ask_levels = true;
              f->asks_first = !f->has_bid_levels;
              parse_levels(v, Side::kAsk, "a", out);
            }
          } else if (type == od::json_type::number && !bid) {
            f->a_id = get_int(v, "a");  // aggTrade id
          } else if (type == od::json_type::string) {
            if (!scalar_text(v, &text)) {
              bad_row("bad price", std::string(key), "expected a decimal string");
            }
            (bid ? f->b_str : f->a_str) = text;
          }
          return;
        }
        default:
          return;
      }
    case 2:
      if (key == "pu") {
        f->pu = get_int(v, "pu");
      } else if (key == "ps") {
        f->has_ps = true;
      }
      return;
    case 4:
      if (key == "bids") {
        f->has_bid_levels = true;
        parse_levels(v, Side::kBid, "bids", out);
      } else if (key == "asks") {
        f->has_ask_levels = true;
        f->asks_first = !f->has_bid_levels;
        parse_levels(v, Side::kAsk, "asks", out);
      } else if (key == "pair") {
        f->has_pair = true;
      }
      return;
    case 6:
      if (key == "symbol") f->symbol = get_str(v, "symbol");
      return;
    case 12:
      if (key == "lastUpdateId") f->last_update_id = get_int(v, "lastUpdateId");
      return;
    default:
      return;
  }
}

PayloadResult PayloadParser::Impl::parse(std::string_view json, const PayloadContext& context,
                                         Message* out) {
  out->reset();
  symbol_field_ = "s";
  try {
    Fields f;
    parse_object(json, &f, out);
    return finish(context, f, out);
  } catch (BadRow& b) {
    problem_ = PayloadProblem{std::move(b.reason), std::move(b.field), std::move(b.what)};
    return PayloadResult::kBad;
  }
}

void PayloadParser::Impl::parse_object(std::string_view json, Fields* f, Message* out) {
  // Copy into the reused padded buffer simdjson needs.
  const size_t len = json.size();
  if (pad_cap_ < len + simdjson::SIMDJSON_PADDING) {
    pad_cap_ = std::max(len + simdjson::SIMDJSON_PADDING, pad_cap_ * 2);
    pad_ = std::make_unique<char[]>(pad_cap_);
  }
  std::memcpy(pad_.get(), json.data(), len);
  std::memset(pad_.get() + len, 0, simdjson::SIMDJSON_PADDING);

  od::document doc;
  if (auto err = parser_.iterate(pad_.get(), len, pad_cap_).get(doc)) malformed(err);
  od::object root;
  if (auto err = doc.get_object().get(root)) malformed(err);
  for (auto field : root) {
    std::string_view key;
    if (auto err = field.unescaped_key().get(key)) malformed(err);
    od::value v;
    if (auto err = field.value().get(v)) malformed(err, std::string(key));
    if (key == "data") {
      od::object data;
      if (auto err = v.get_object().get(data)) malformed(err, "data");
      for (auto df : data) {
        std::string_view dkey;
        if (auto err = df.unescaped_key().get(dkey)) malformed(err, "data");
        od::value dv;
        if (auto err = df.value().get(dv)) malformed(err, std::string(dkey));
        on_data_field(dkey, dv, f, out);
      }
    } else if (key == "stream") {
      f->stream = get_str(v, "stream");
    } else if (key == "capture_ns") {
      f->capture_ns = get_int(v, "capture_ns");
    } else {
      on_data_field(key, v, f, out);  // a bare event or REST body: the payload is the root
    }
  }
  if (!doc.current_location().error()) {
    bad_row("malformed JSON", "", "malformed JSON (trailing content after the object)");
  }
}

// Market: the context's, else its url host's, else decided by the fields (and remembered).
Market PayloadParser::Impl::decide_market(const PayloadContext& context, const Fields& f,
                                          std::string_view symbol, bool snapshot, bool trade,
                                          bool delta) {
  if (context.market != Market::kUnknown) return context.market;
  if (!context.url.empty()) {
    const Market m = market_from_url(context.url);
    if (m != Market::kUnknown) return m;
  }
  Market decisive = Market::kUnknown;
  if (f.has_ps || f.has_pair) {
    decisive = Market::kCoinM;
  } else if (f.pu != kNull) {
    decisive = Market::kUsdM;
  } else if (delta) {
    decisive = Market::kSpot;
  }
  if (decisive != Market::kUnknown) {
    learned_market_ = decisive;
    return decisive;
  }
  if (learned_market_ != Market::kUnknown) return learned_market_;
  // Shape only: futures payloads carry T/E (tickers, snapshots) and lack M (trades).
  bool futures = false;
  if (trade) futures = !f.has_M;
  if (snapshot || (!trade && !delta)) futures = f.has_T || f.E != kNull || !f.e.empty();
  if (!futures) return Market::kSpot;
  // Only COIN-M symbols hold "USD_" (BTCUSD_PERP, ETHUSD_240927).
  return symbol.find("USD_") != std::string_view::npos ? Market::kCoinM : Market::kUsdM;
}

PayloadResult PayloadParser::Impl::finish(const PayloadContext& context, Fields& f, Message* out) {
  // Which kind: the payload's own event type, else the stream name, else its shape.
  std::string_view stream_type;
  std::string_view stream_symbol;
  if (!f.stream.empty()) {
    const size_t at = f.stream.find('@');
    stream_type = at == std::string_view::npos ? f.stream : f.stream.substr(at + 1);
    if (at != std::string_view::npos) stream_symbol = f.stream.substr(0, at);
  }
  const bool partial_depth =
      stream_type.size() > 5 && stream_type.substr(0, 5) == "depth" && is_digit(stream_type[5]);
  enum { kDelta, kTrade, kAgg, kTicker, kSnapshot, kOther } kind = kOther;
  if (f.last_update_id != kNull) {
    kind = kSnapshot;
  } else if (!f.e.empty()) {
    if (f.e == "depthUpdate") {
      kind = partial_depth ? kSnapshot : kDelta;
    } else if (f.e == "trade") {
      kind = kTrade;
    } else if (f.e == "aggTrade") {
      kind = kAgg;
    } else if (f.e == "bookTicker") {
      kind = kTicker;
    }
  } else if (stream_type == "bookTicker" || (stream_type.empty() && f.b_str && f.a_str)) {
    kind = kTicker;
  } else if (stream_type == "trade") {
    kind = kTrade;
  } else if (stream_type == "aggTrade") {
    kind = kAgg;
  } else if (stream_type.substr(0, 5) == "depth") {
    kind = partial_depth ? kSnapshot : kDelta;
  }
  if (kind == kOther) {
    // Never silently dropped: the caller counts it under the stream (or event) name.
    problem_.reason = !stream_type.empty() ? "unsupported stream " + std::string(stream_type)
                      : !f.e.empty()       ? "unsupported event " + std::string(f.e)
                                           : std::string("unrecognised message");
    problem_.field.clear();
    problem_.what = problem_.reason;
    return PayloadResult::kUnsupported;
  }

  // Local receive time.
  out->received_time = context.received_time;
  if (context.golden) {
    if (f.capture_ns == kNull) bad_row("missing field", "capture_ns", "missing field capture_ns");
    out->received_time = f.capture_ns;
  }

  // Symbol: the payload's, else (snapshots) the url's, the body's, the stream's, or none.
  if (!f.s.empty()) {
    to_upper(f.s, &out->symbol);
  } else if (kind == kSnapshot) {
    symbol_field_ = "symbol";
    const std::string_view from_url = context.url.empty() ? "" : url_symbol(context.url);
    if (!from_url.empty()) {
      to_upper(from_url, &out->symbol);
    } else if (!f.symbol.empty()) {
      to_upper(f.symbol, &out->symbol);
    } else if (!stream_symbol.empty()) {
      to_upper(stream_symbol, &out->symbol);
    }
  } else {
    bad_row("missing field", "s", "missing field s (symbol)");
  }

  out->market = decide_market(context, f, out->symbol, kind == kSnapshot,
                              kind == kTrade || kind == kAgg, kind == kDelta);
  out->exchange.assign(exchange_name(out->market));
  if (f.E != kNull) out->origin_time = f.E * kNsPerMs;

  switch (kind) {
    case kDelta:
    case kSnapshot: {
      if (kind == kSnapshot && f.last_update_id != kNull) {
        out->kind = MessageKind::kSnapshot;
        out->update_id = f.last_update_id;
      } else {
        if (f.E == kNull) bad_row("missing field", "E", "missing field E (event time)");
        if (f.U == kNull) bad_row("missing field", "U", "missing field U (first update id)");
        if (f.u == kNull) bad_row("missing field", "u", "missing field u (final update id)");
        out->kind = kind == kSnapshot ? MessageKind::kSnapshot : MessageKind::kDelta;
        out->first_update_id = f.U;
        out->update_id = f.u;
        out->prev_update_id = f.pu;
      }
      const bool rest = f.last_update_id != kNull;
      if (!f.has_bid_levels) {
        bad_row("missing field", rest ? "bids" : "b", "missing bid levels");
      }
      if (!f.has_ask_levels) {
        bad_row("missing field", rest ? "asks" : "a", "missing ask levels");
      }
      if (f.asks_first) {  // keep bids then asks, each in source order
        auto mid = std::find_if(out->levels.begin(), out->levels.end(),
                                [](const LevelUpdate& l) { return l.side == Side::kBid; });
        std::rotate(out->levels.begin(), mid, out->levels.end());
      }
      break;
    }
    case kTrade:
    case kAgg: {
      out->kind = MessageKind::kTrade;
      const int64_t id = kind == kTrade ? f.t : f.a_id;
      if (id == kNull) {
        bad_row("missing field", kind == kTrade ? "t" : "a", "missing trade id");
      }
      if (f.E == kNull) bad_row("missing field", "E", "missing field E (event time)");
      if (!f.p) bad_row("missing field", "p", "missing field p (price)");
      if (!f.q) bad_row("missing field", "q", "missing field q (quantity)");
      if (!f.m) bad_row("missing field", "m", "missing field m (buyer is maker)");
      char buf[24];
      const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), id);
      out->trade_id.assign(buf, end);
      out->price = parse_amount(*f.p, "price", "p");
      out->size = parse_amount(*f.q, "size", "q");
      out->side = *f.m ? Side::kSell : Side::kBuy;  // the buyer was the maker: a sell hit the bid
      break;
    }
    case kTicker: {
      out->kind = MessageKind::kTicker;
      if (f.u == kNull) bad_row("missing field", "u", "missing field u (update id)");
      if (!f.b_str) bad_row("missing field", "b", "missing field b (best bid price)");
      if (!f.B) bad_row("missing field", "B", "missing field B (best bid size)");
      if (!f.a_str) bad_row("missing field", "a", "missing field a (best ask price)");
      if (!f.A) bad_row("missing field", "A", "missing field A (best ask size)");
      out->update_id = f.u;
      out->levels.push_back(
          {Side::kBid, parse_amount(*f.b_str, "price", "b"), parse_amount(*f.B, "size", "B")});
      out->levels.push_back(
          {Side::kAsk, parse_amount(*f.a_str, "price", "a"), parse_amount(*f.A, "size", "A")});
      break;
    }
    case kOther:
      break;
  }
  return PayloadResult::kMessage;
}

PayloadParser::PayloadParser() : impl_(std::make_unique<Impl>()) {}
PayloadParser::~PayloadParser() = default;
PayloadResult PayloadParser::parse(std::string_view json, const PayloadContext& context,
                                   Message* out) {
  return impl_->parse(json, context, out);
}
const PayloadProblem& PayloadParser::problem() const { return impl_->problem(); }
const char* PayloadParser::symbol_field() const { return impl_->symbol_field(); }
Market PayloadParser::learned_market() const { return impl_->learned_market(); }
void PayloadParser::set_learned_market(Market market) { impl_->set_learned_market(market); }

}  // namespace rlx::binance
