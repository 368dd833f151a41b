// Inputs that mix symbols (Binance captures, Tardis files) are read once, by the router, in
// replay order, and each symbol's messages go to its worker: through a bounded Channel while
// the worker runs, or into a spool file the worker reads later when it has no slot yet.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "rlx/pipeline/channel.h"
#include "rlx/pipeline/reconstruct.h"
#include "rlx/replay/replayer.h"

namespace rlx::pipeline {

// Where one symbol's messages go, decided at its first message.
struct Route {
  enum class Kind : uint8_t { kDrop = 0, kChannel = 1, kSpool = 2 };
  Kind kind = Kind::kDrop;
  std::shared_ptr<Channel> channel;  // kChannel
  std::filesystem::path spool;       // kSpool: the complete file; written as <spool>.tmp first
};
using RouteFor = std::function<Route(const SymbolKey& key)>;

class Router {
 public:
  // `run`: the run's source, inputs and symbol patterns.
  Router(const ReconstructOptions& run, RouteFor route_for);
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Routes every message. At the end each channel gets its end frame and each spool is
  // fsynced and renamed to its final name. An input error cuts every channel (its worker
  // stops without finishing) and is rethrown.
  void run();

  // Makes run() stop after the batch it is routing (it then throws): the supervisor is failing.
  void stop() { stop_.store(true, std::memory_order_relaxed); }

  // After run(): the inputs and what their readers set aside.
  const std::vector<InputSummary>& inputs() const { return inputs_; }
  // After run(): symbols whose name cannot name an output folder (under --on-bad-row fail; with
  // quarantine their readers set them aside), each with why and where it was first seen. Their
  // messages were dropped; the supervisor fails each such symbol alone.
  const std::map<SymbolKey, std::string>& bad_names() const { return bad_names_; }
  uint64_t messages() const { return messages_.load(std::memory_order_relaxed); }
  uint64_t bytes_done() const { return bytes_done_.load(std::memory_order_relaxed); }
  uint64_t bytes_total() const { return bytes_total_.load(std::memory_order_relaxed); }

 private:
  struct Spool;
  struct Target {
    Route route;
    std::unique_ptr<Spool> spool;
  };
  Target* target_for(const Message& m);
  void route_batch(const std::vector<Message>& batch);

  ReconstructOptions run_;
  RouteFor route_for_;
  std::map<SymbolKey, Target> targets_;
  std::vector<InputSummary> inputs_;
  std::vector<std::string> names_;  // the inputs, by Message::source
  std::map<SymbolKey, std::string> bad_names_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> messages_{0};
  std::atomic<uint64_t> bytes_done_{0};
  std::atomic<uint64_t> bytes_total_{0};
};

// A worker's feed when it reads the mixed inputs itself (its restart while the router has moved
// on): the router's replay order, filtered to one (exchange, symbol), so the stream is the same
// message for message and a checkpoint position means the same in both.
class SelfRoutedReader : public io::MessageReader {
 public:
  SelfRoutedReader(const ReconstructOptions& run, SymbolKey key);
  bool next(Message* out) override;
  // Seekable when every input is (Binance raw files): a shard or a restarted worker then resumes
  // without re-reading the mixed inputs from their start.
  std::shared_ptr<const io::ReaderPosition> position() const override;
  void seek(BinaryReader& saved) override;
  const io::Quarantine& quarantine() const override { return quarantine_; }

 private:
  ReconstructOptions run_;
  SymbolKey key_;
  std::unique_ptr<replay::Replayer> replayer_;
  replay::ReplayState before_batch_;  // the mixed replay before batch_ was taken
  std::vector<Message> batch_;
  size_t next_ = 0;
  io::Quarantine quarantine_;  // the router reports the inputs' quarantine
};

// The replay order both of the above use: independent of the run's --batch-size.
inline constexpr size_t kRouterBatch = 1000;

}  // namespace rlx::pipeline
