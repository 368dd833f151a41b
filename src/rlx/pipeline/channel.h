// How routed messages travel from the supervisor's router to one symbol's worker: frames over a
// pipe (live) or in a spool file (a symbol whose worker has no slot yet), and the bounded queue
// in front of each pipe that gives the router backpressure.
//
// Frame: u32 little-endian payload length, then the payload (core/message.h save_message). A
// zero length ends the stream; a stream that stops without it was cut (its router died).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "rlx/core/message.h"
#include "rlx/io/reader.h"

namespace rlx::pipeline {

void append_frame(const Message& message, std::string* out);
void append_end_frame(std::string* out);

// The messages of a frame stream, read from a file descriptor it owns (pipe end or spool file).
// Every message gets source 0 (the worker's one routed source); source_row stays the input's.
class FrameReader : public io::MessageReader {
 public:
  FrameReader(int fd, std::string name);
  ~FrameReader() override;
  FrameReader(const FrameReader&) = delete;
  FrameReader& operator=(const FrameReader&) = delete;

  // Throws Error(kInternal) when the stream stops without its end frame or a frame is damaged.
  bool next(Message* out) override;
  const io::Quarantine& quarantine() const override { return quarantine_; }
  uint64_t bytes_done() const override { return consumed_; }

 private:
  bool fill(size_t need);  // at least `need` unread bytes; false at end of file

  int fd_;
  std::string name_;
  std::string buffer_;
  size_t pos_ = 0;
  uint64_t consumed_ = 0;
  bool ended_ = false;
  io::Quarantine quarantine_;  // always empty: the router reports the inputs' quarantine
};

// A bounded FIFO of messages (as frames) between the router and one worker's pipe, drained by
// its own thread. push() blocks while `capacity` messages wait: a slow worker slows the router,
// and memory stays bounded. When the worker is gone the queue is abandoned: what waits is
// dropped and later pushes return at once (the worker's restart reads its inputs itself).
class Channel {
 public:
  // Takes ownership of `write_fd`, the router's end of the worker's pipe.
  Channel(int write_fd, size_t capacity);
  ~Channel();  // after finish() or cut(): waits until it is written; else abandons
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // Queues one message; false once abandoned.
  bool push(const Message& message);
  // The stream is complete: the end frame follows what is queued, then the pipe is closed.
  void finish();
  // The router failed: close the pipe after what is queued, without the end frame.
  void cut();
  // The worker is gone: drop everything, never block again.
  void abandon();
  // Messages queued or being written (the watchdog's "the worker has work" test).
  size_t pending() const;
  bool abandoned() const;

 private:
  void drain();  // the writer thread

  int fd_;
  size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> queue_;  // one frame per message
  size_t writing_ = 0;             // frames taken by the writer, not yet written
  enum class End : uint8_t { kNone, kFinish, kCut } end_ = End::kNone;
  bool abandoned_ = false;
  std::thread writer_;
};

}  // namespace rlx::pipeline
