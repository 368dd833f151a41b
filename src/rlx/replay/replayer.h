// Merges one symbol's sources into one replay order and hands it out in micro-batches.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rlx/core/binary_io.h"
#include "rlx/core/message.h"
#include "rlx/io/reader.h"

namespace rlx::replay {

struct ReplayOptions {
  size_t batch_size = 1000;  // messages per micro-batch
};

// Where a Replayer stands between two batches: enough to resume, from freshly opened sources,
// with exactly the batches an uninterrupted run hands out after that point.
struct ReplayState {
  struct SourcePosition {
    uint64_t messages = 0;  // messages of this source handed out so far
    int64_t key = kNull;    // merge key of the last one (kNull: none yet)
    // A seekable source (MessageReader::position): its reader's state after the message the
    // merge holds back, and that message, so a resume seeks instead of re-reading. `reader` is
    // what state() took, `reader_bytes` what load() read; empty both: skip on resume.
    std::shared_ptr<const io::ReaderPosition> reader;
    std::string reader_bytes;
    bool has_head = false;
    int64_t head_key = kNull;
    std::string head;  // save_message bytes

    bool seekable() const { return reader != nullptr || !reader_bytes.empty(); }
    std::string reader_state() const;  // reader_bytes, or reader serialised
    friend bool operator==(const SourcePosition& a, const SourcePosition& b) {
      return a.messages == b.messages && a.key == b.key && a.has_head == b.has_head &&
             a.head_key == b.head_key && a.head == b.head && a.reader_state() == b.reader_state();
    }
  };
  uint64_t batch_size = 0;  // must match on resume: batch boundaries stay the same
  uint64_t batches = 0;     // batches handed out so far: the state is "after batch `batches`"
  uint64_t messages_out = 0;
  std::vector<SourcePosition> sources;

  void save(BinaryWriter& writer) const;
  // Throws rlx::Error(kInternal) on a short read or a wrong tag.
  static ReplayState load(BinaryReader& reader);
  friend bool operator==(const ReplayState&, const ReplayState&) = default;
};

// Order: by origin_time; on equal times the source with the lower index goes first; each
// source's own order is always kept (a k-way merge never reorders within a source). A message
// without origin_time (Binance spot REST snapshots and bookTickers) takes the key of the
// message before it in its source, so it stays where the capture put it.
class Replayer {
 public:
  Replayer(std::vector<std::unique_ptr<io::MessageReader>> sources, ReplayOptions options);
  // Resumes after `state` (from state()), given the same inputs freshly opened in the same
  // order: each seekable source seeks to its position and takes back the message the merge held,
  // any other skips the messages it had handed out; each takes back its merge key, so the next
  // batches equal the uninterrupted run's. Throws rlx::Error(kInvalidArgument) when the
  // source count or batch size differs, rlx::Error(kBadInput) when a source ends before its
  // position.
  Replayer(std::vector<std::unique_ptr<io::MessageReader>> sources, ReplayOptions options,
           const ReplayState& state);

  // Replaces *batch with up to batch_size messages in replay order; false when all sources are
  // exhausted and nothing was returned. Message buffers are reused between calls.
  bool next_batch(std::vector<Message>* batch);

  size_t source_count() const { return sources_.size(); }
  const io::MessageReader& source(size_t i) const { return *sources_[i].source; }
  uint64_t messages_out() const { return messages_out_; }
  uint64_t batches() const { return batches_; }
  // The position after the last batch handed out (a few integers per source, and for a seekable
  // one its reader's position and the held-back message).
  ReplayState state() const;

 private:
  struct Source {
    std::unique_ptr<io::MessageReader> source;
    Message head;  // next message of this source, valid if has_head
    bool has_head = false;
    int64_t key = kNull;  // merge key of head
    uint64_t handed_out = 0;
    int64_t handed_key = kNull;  // merge key of the last message handed out
  };
  void advance(Source* s);

  std::vector<Source> sources_;
  ReplayOptions options_;
  uint64_t messages_out_ = 0;
  uint64_t batches_ = 0;
};

}  // namespace rlx::replay
