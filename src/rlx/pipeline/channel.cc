#include "rlx/pipeline/channel.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "rlx/core/binary_io.h"
#include "rlx/core/error.h"
#include "rlx/durability/durable_file.h"

namespace rlx::pipeline {
namespace {

constexpr size_t kHeader = 4;
constexpr uint32_t kMaxFrame = 64u << 20;  // a diff of 1000s of levels is far below this

void put_u32(uint32_t v, char* out) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

uint32_t get_u32(const char* in) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<uint32_t>(static_cast<unsigned char>(in[i])) << (8 * i);
  return v;
}

}  // namespace

void append_frame(const Message& message, std::string* out) {
  const size_t at = out->size();
  out->resize(at + kHeader);
  BinaryWriter w(out);
  save_message(w, message);
  put_u32(static_cast<uint32_t>(out->size() - at - kHeader), out->data() + at);
}

void append_end_frame(std::string* out) { out->append(kHeader, '\0'); }

FrameReader::FrameReader(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}

FrameReader::~FrameReader() {
  if (fd_ >= 0) ::close(fd_);
}

bool FrameReader::fill(size_t need) {
  if (buffer_.size() - pos_ >= need) return true;
  buffer_.erase(0, pos_);
  pos_ = 0;
  char chunk[1 << 16];
  while (buffer_.size() < need) {
    const ssize_t n = ::read(fd_, chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(StatusCode::kIo, name_ + ": read failed: " + std::strerror(errno));
    }
    if (n == 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
  }
  return true;
}

bool FrameReader::next(Message* out) {
  if (ended_) return false;
  if (!fill(kHeader)) {
    throw Error(StatusCode::kInternal,
                name_ + ": the routed stream stopped without its end (the router stopped)");
  }
  const uint32_t size = get_u32(buffer_.data() + pos_);
  if (size == 0) {
    ended_ = true;
    consumed_ += kHeader;
    return false;
  }
  if (size > kMaxFrame || !fill(kHeader + size)) {
    throw Error(StatusCode::kInternal,
                name_ + ": damaged frame at byte " + std::to_string(consumed_));
  }
  BinaryReader r(std::string_view(buffer_.data() + pos_ + kHeader, size));
  load_message(r, out);
  r.expect_end("routed message");
  out->source = 0;
  pos_ += kHeader + size;
  consumed_ += kHeader + size;
  return true;
}

Channel::Channel(int write_fd, size_t capacity)
    : fd_(write_fd), capacity_(capacity == 0 ? 1 : capacity), writer_([this] { drain(); }) {}

Channel::~Channel() {
  {
    // A finished or cut stream is still written out; anything else is dropped.
    const std::lock_guard lock(mutex_);
    if (end_ == End::kNone) {
      abandoned_ = true;
      queue_.clear();
    }
    changed_.notify_all();
  }
  writer_.join();
  if (fd_ >= 0) ::close(fd_);
}

bool Channel::push(const Message& message) {
  std::string frame;
  append_frame(message, &frame);
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return abandoned_ || queue_.size() + writing_ < capacity_; });
  if (abandoned_) return false;
  queue_.push_back(std::move(frame));
  if (queue_.size() == 1) changed_.notify_all();
  return true;
}

void Channel::finish() {
  const std::lock_guard lock(mutex_);
  if (end_ == End::kNone) end_ = End::kFinish;
  changed_.notify_all();
}

void Channel::cut() {
  const std::lock_guard lock(mutex_);
  end_ = End::kCut;
  changed_.notify_all();
}

void Channel::abandon() {
  const std::lock_guard lock(mutex_);
  abandoned_ = true;
  queue_.clear();
  changed_.notify_all();
}

size_t Channel::pending() const {
  const std::lock_guard lock(mutex_);
  return queue_.size() + writing_;
}

bool Channel::abandoned() const {
  const std::lock_guard lock(mutex_);
  return abandoned_;
}

void Channel::drain() {
  std::string out;
  for (;;) {
    End end = End::kNone;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [this] { return abandoned_ || !queue_.empty() || end_ != End::kNone; });
      if (abandoned_) break;
      out.clear();
      writing_ = queue_.size();
      for (const std::string& f : queue_) out += f;
      queue_.clear();
      end = end_;
    }
    if (end == End::kFinish) append_end_frame(&out);
    const bool ok = durability::write_all(fd_, out);  // false: the worker is gone
    {
      const std::lock_guard lock(mutex_);
      writing_ = 0;
      changed_.notify_all();  // room for the router again
      if (!ok) {
        abandoned_ = true;  // the worker is gone
        queue_.clear();
        changed_.notify_all();
        break;
      }
    }
    if (end != End::kNone) break;
  }
  // Closing the pipe here lets the worker see the end (or the cut) at once.
  const std::lock_guard lock(mutex_);
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

}  // namespace rlx::pipeline
