// The line formats of Binance captures (docs/INPUTS.md), shared by the file reader, the local
// exchange and live capture: which format a file is in, how one line splits into its local
// receive time and its JSON payload, and how a combined-stream frame splits into its stream name
// and its `data` bytes (untouched).
//   hftbacktest  `<local ns> <json>`
//   cryptofeed   `X.ws.1.0`: `<ws url> <-> <connect epoch s>` headers, then `<epoch s>: <json>`;
//                `X.http.0.0`: `<rest url> -> <epoch s>: <json>`
//   golden       `{"capture_ns":<ns>,"stream":"<stream>","data":<json>}` (rlx capture's record)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "rlx/core/message.h"

namespace rlx::binance {

enum class CaptureFormat : uint8_t { kUnknown = 0, kHftbacktest = 1, kCryptofeed = 2, kGolden = 3 };

// The format of a file from its first non-empty line; kUnknown when none matches.
CaptureFormat detect_capture_format(std::string_view first_line);

struct CaptureLine {
  bool header = false;          // a cryptofeed connection header: no payload
  std::string_view header_url;  // its ws url
  int64_t received = kNull;     // local receive ns (golden: inside the payload)
  std::string_view url;         // cryptofeed REST line: the request url
  std::string_view json;        // the payload
};

// Splits one non-empty line. `http`: a cryptofeed REST file. False when the line's framing is
// wrong; *field and *what then say how ("local_ns", "expected '<ns> <json>' ...").
bool split_capture_line(CaptureFormat format, bool http, std::string_view line, CaptureLine* out,
                        std::string* field, std::string* what);

// A combined-stream frame `{"stream":"S","data":D}` or a golden line
// `{"capture_ns":N,"stream":"S","data":D}`, as Binance and rlx write them (no spaces): S and
// D's exact bytes (and N). False for any other shape (a REST body, a control response).
bool split_envelope(std::string_view json, std::string_view* stream, std::string_view* data,
                    int64_t* capture_ns = nullptr);

// "1633998512.0633569" epoch seconds -> ns, exactly (digits below 1 ns truncated).
bool parse_epoch_seconds(std::string_view s, int64_t* out);

}  // namespace rlx::binance
