// Merges one symbol's sources into one replay order and hands it out in micro-batches.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "rlx/core/message.h"
#include "rlx/io/reader.h"

namespace rlx::replay {

struct ReplayOptions {
  size_t batch_size = 1000;  // messages per micro-batch
};

// Order: by origin_time; on equal times the source with the lower index goes first; each
// source's own order is always kept (a k-way merge never reorders within a source). A message
// without origin_time (Binance spot REST snapshots and bookTickers) takes the key of the
// message before it in its source, so it stays where the capture put it.
class Replayer {
 public:
  Replayer(std::vector<std::unique_ptr<io::MessageReader>> sources, ReplayOptions options);

  // Replaces *batch with up to batch_size messages in replay order; false when all sources are
  // exhausted and nothing was returned. Message buffers are reused between calls.
  bool next_batch(std::vector<Message>* batch);

  size_t source_count() const { return sources_.size(); }
  const io::MessageReader& source(size_t i) const { return *sources_[i].source; }
  uint64_t messages_out() const { return messages_out_; }

 private:
  struct Source {
    std::unique_ptr<io::MessageReader> source;
    Message head;  // next message of this source, valid if has_head
    bool has_head = false;
    int64_t key = kNull;  // merge key of head
  };
  void advance(Source* s);

  std::vector<Source> sources_;
  ReplayOptions options_;
  uint64_t messages_out_ = 0;
};

}  // namespace rlx::replay
