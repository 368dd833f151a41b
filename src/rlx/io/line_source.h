// Where a line-based reader's lines come from: a file (io::LineReader) or a live feed (a
// capture handing its golden-sample lines to `--events`, live/live_events.h). One interface, so
// a capture's live output and a later `rlx reconstruct` of its record run the same reader code.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace rlx::io {

class LineSource {
 public:
  virtual ~LineSource() = default;
  // The next line without its '\n'; false at the end. The view stays valid until the next call.
  virtual bool next(std::string_view* line) = 0;
  // 1-based number of the line last returned (0 before the first).
  virtual uint64_t line_number() const = 0;
  // Names the source in errors (a file's path).
  virtual const std::string& path() const = 0;
  // The source ended inside its last line (an unfinished capture segment, io/line_reader.h).
  virtual bool torn_tail() const { return false; }
  // A file can be read again from its start by path (a look-ahead handle); a feed cannot.
  virtual bool rereadable() const { return false; }
};

}  // namespace rlx::io
