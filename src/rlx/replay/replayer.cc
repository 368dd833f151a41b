#include "rlx/replay/replayer.h"

#include <utility>

namespace rlx::replay {

Replayer::Replayer(std::vector<std::unique_ptr<io::MessageReader>> sources, ReplayOptions options)
    : options_(options) {
  if (options_.batch_size == 0) options_.batch_size = 1;
  sources_.resize(sources.size());
  for (size_t i = 0; i < sources.size(); ++i) {
    sources_[i].source = std::move(sources[i]);
    advance(&sources_[i]);
  }
}

void Replayer::advance(Source* s) {
  const int64_t previous_key = s->key;
  s->has_head = s->source->next(&s->head);
  if (!s->has_head) return;
  if (s->head.origin_time != kNull) {
    s->key = s->head.origin_time;
  } else if (previous_key != kNull) {
    s->key = previous_key;
  } else {
    s->key = s->head.received_time;  // first message of a source without exchange time
  }
}

bool Replayer::next_batch(std::vector<Message>* batch) {
  batch->resize(options_.batch_size);
  size_t n = 0;
  while (n < options_.batch_size) {
    // Few sources per symbol (at most a handful): a linear scan beats a heap here.
    Source* best = nullptr;
    for (Source& s : sources_) {
      if (!s.has_head) continue;
      if (best == nullptr || s.key < best->key) best = &s;  // strict: lower index wins ties
    }
    if (best == nullptr) break;
    std::swap((*batch)[n++], best->head);  // hand the buffer over, reuse the old one
    advance(best);
  }
  batch->resize(n);
  messages_out_ += n;
  return n > 0;
}

}  // namespace rlx::replay
