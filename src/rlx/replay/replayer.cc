#include "rlx/replay/replayer.h"

#include <fmt/format.h>

#include <utility>

#include "rlx/core/error.h"

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

Replayer::Replayer(std::vector<std::unique_ptr<io::MessageReader>> sources, ReplayOptions options,
                   const ReplayState& state)
    : options_(options) {
  if (options_.batch_size == 0) options_.batch_size = 1;
  if (state.sources.size() != sources.size()) {
    throw Error(StatusCode::kInvalidArgument,
                fmt::format("resume: the checkpoint has {} inputs, the run {}",
                            state.sources.size(), sources.size()));
  }
  if (state.batch_size != options_.batch_size) {
    throw Error(StatusCode::kInvalidArgument,
                fmt::format("resume: the checkpoint was taken with batch size {}, the run uses {}",
                            state.batch_size, options_.batch_size));
  }
  messages_out_ = state.messages_out;
  batches_ = state.batches;
  sources_.resize(sources.size());
  for (size_t i = 0; i < sources.size(); ++i) {
    Source& s = sources_[i];
    const ReplayState::SourcePosition& pos = state.sources[i];
    s.source = std::move(sources[i]);
    if (pos.seekable()) {
      const std::string saved = pos.reader_state();
      BinaryReader r(saved);
      s.source->seek(r);
      s.handed_out = pos.messages;
      s.handed_key = pos.key;
      s.has_head = pos.has_head;
      s.key = pos.has_head ? pos.head_key : pos.key;
      if (pos.has_head) {
        BinaryReader h(pos.head);
        load_message(h, &s.head);
      }
      continue;
    }
    const uint64_t skipped = s.source->skip(pos.messages);
    if (skipped != pos.messages) {
      throw bad_input(Location{}, fmt::format("resume: input {} ends after {} messages, the "
                                              "checkpoint is at message {}: has it changed?",
                                              i, skipped, pos.messages));
    }
    // advance() derives a key from the previous message's, as it did in the original run.
    s.handed_out = pos.messages;
    s.handed_key = pos.key;
    s.key = pos.key;
    advance(&s);
  }
}

ReplayState Replayer::state() const {
  ReplayState st;
  st.batch_size = options_.batch_size;
  st.batches = batches_;
  st.messages_out = messages_out_;
  st.sources.reserve(sources_.size());
  for (const Source& s : sources_) {
    ReplayState::SourcePosition p;
    p.messages = s.handed_out;
    p.key = s.handed_key;
    p.reader = s.source->position();  // after the head, which the merge holds back
    if (p.reader != nullptr && s.has_head) {
      p.has_head = true;
      p.head_key = s.key;
      BinaryWriter w(&p.head);
      save_message(w, s.head);
    }
    st.sources.push_back(std::move(p));
  }
  return st;
}

std::string ReplayState::SourcePosition::reader_state() const {
  if (reader == nullptr) return reader_bytes;
  std::string out;
  BinaryWriter w(&out);
  reader->save(w);
  return out;
}

namespace {
constexpr uint32_t kStateTag = make_tag("RPS", 2);
}  // namespace

void ReplayState::save(BinaryWriter& w) const {
  w.u32(kStateTag);
  w.u64(batch_size);
  w.u64(batches);
  w.u64(messages_out);
  w.u64(sources.size());
  for (const SourcePosition& p : sources) {
    w.u64(p.messages);
    w.i64(p.key);
    w.boolean(p.seekable());
    if (!p.seekable()) continue;
    w.str(p.reader_state());
    w.boolean(p.has_head);
    w.i64(p.head_key);
    w.str(p.head);
  }
}

ReplayState ReplayState::load(BinaryReader& r) {
  r.expect_tag(kStateTag, "ReplayState");
  ReplayState st;
  st.batch_size = r.u64("ReplayState.batch_size");
  st.batches = r.u64("ReplayState.batches");
  st.messages_out = r.u64("ReplayState.messages_out");
  st.sources.resize(r.count("ReplayState.sources", 16));
  for (SourcePosition& p : st.sources) {
    p.messages = r.u64("ReplayState source messages");
    p.key = r.i64("ReplayState source key");
    if (r.u8("ReplayState source seekable") == 0) continue;
    p.reader_bytes = r.str("ReplayState source reader");
    p.has_head = r.u8("ReplayState source has_head") != 0;
    p.head_key = r.i64("ReplayState source head_key");
    p.head = r.str("ReplayState source head");
  }
  return st;
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
    ++best->handed_out;
    best->handed_key = best->key;
    advance(best);
  }
  batch->resize(n);
  messages_out_ += n;
  if (n == 0) return false;
  ++batches_;
  return true;
}

}  // namespace rlx::replay
