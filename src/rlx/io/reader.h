// A source of normalised exchange messages, read in the source's own order with bounded memory.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rlx/core/binary_io.h"
#include "rlx/core/message.h"

namespace rlx::io {

// Counts of rows a reader set aside instead of failing: reason -> count, with the first example.
struct Quarantine {
  struct Entry {
    uint64_t count = 0;
    std::string first_example;  // "file:row: field 'x': what"
  };
  std::vector<std::pair<std::string, Entry>> reasons;  // in first-seen order (deterministic)

  void add(const std::string& reason, const std::string& example);
  uint64_t total() const;
  void save(BinaryWriter& writer) const;
  static Quarantine load(BinaryReader& reader);
};

// Where a seekable reader stands: its state after the last message it returned, written into a
// checkpoint (MessageReader::position).
class ReaderPosition {
 public:
  virtual ~ReaderPosition() = default;
  virtual void save(BinaryWriter& writer) const = 0;
};

// What a reader does with a row it cannot trust (malformed JSON, NaN, negative size, ...).
enum class BadRowPolicy : uint8_t {
  kFail = 0,        // throw rlx::Error(kBadInput) naming file, row and field (the default)
  kQuarantine = 1,  // skip the row, count it by reason in Quarantine, report it
};

class MessageReader {
 public:
  virtual ~MessageReader() = default;
  // Overwrites *out with the next message (reusing its buffers); false at the end of input.
  // Throws rlx::Error(kBadInput) naming file, row and field for input that cannot be trusted.
  virtual bool next(Message* out) = 0;
  // Skips up to `messages` messages exactly as that many next() calls would (quarantine and
  // every other state included); returns how many were skipped (fewer at the end of input).
  // Resuming from a checkpoint repositions a freshly opened reader with it.
  virtual uint64_t skip(uint64_t messages);
  // A resume that does not re-read: the reader's state after the last message next() returned
  // (null: this reader cannot seek, and a resume skips). Taken once per batch, so cheap enough
  // for that; seek() gives it back to a freshly opened reader of the same input.
  virtual std::shared_ptr<const ReaderPosition> position() const { return nullptr; }
  // Throws rlx::Error(kInternal) for a reader that cannot seek, kBadInput when the saved
  // position does not fit its input.
  virtual void seek(BinaryReader& saved);
  // Rows set aside so far (reported in report.json).
  virtual const Quarantine& quarantine() const = 0;
  // Bytes of input consumed so far and in all (0 when unknown), for the progress display.
  virtual uint64_t bytes_done() const { return 0; }
  virtual uint64_t bytes_total() const { return 0; }
};

// Whether `symbol` is asked for: `patterns` empty (every symbol), or one of them matches it as a
// shell glob (`BTC*`, `*USD_PERP`, or a plain name), case-sensitively (symbols are upper case).
bool symbol_matches(const std::vector<std::string>& patterns, std::string_view symbol);

// Every remaining message of `reader` (tests and benchmarks that replay a capture in memory).
std::vector<Message> read_all(MessageReader& reader);

}  // namespace rlx::io
