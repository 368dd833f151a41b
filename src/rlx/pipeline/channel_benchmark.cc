// The router's cost per message: the real messages of the largest hftbacktest capture (read into
// memory first) pushed through a Channel (encode, bounded queue, writer thread, pipe) and decoded
// by a FrameReader on another thread, as between the router and a worker. items_per_second is
// messages/s; the cost per message is its inverse. BM_ReadCapture is the reader alone, for scale.
//   build-*/src/rlx/pipeline/rlx_channel_benchmark --benchmark_repetitions=5
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "rlx/io/binance_raw_reader.h"
#include "rlx/pipeline/channel.h"
#include "rlx/testing/shared_data.h"

namespace {

std::string data_file(const char* relative) {
  return (rlx::testing::shared_data_dir() / relative).string();
}

const char* const kFile = "binance/hftbacktest/usdm_btcusdt_20240808.gz";

const std::vector<rlx::Message>* capture() {
  static const std::vector<rlx::Message>* messages = [] {
    auto* all = new std::vector<rlx::Message>;
    const std::string path = data_file(kFile);
    if (std::filesystem::exists(path)) {
      rlx::io::BinanceRawReader reader(path);
      *all = rlx::io::read_all(reader);
    }
    return all;
  }();
  return messages;
}

void BM_ChannelRoundTrip(benchmark::State& state) {
  const std::vector<rlx::Message>& messages = *capture();
  if (messages.empty()) {
    state.SkipWithError("missing capture");
    return;
  }
  ::signal(SIGPIPE, SIG_IGN);
  uint64_t received = 0;
  for (auto _ : state) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      state.SkipWithError("pipe");
      return;
    }
    std::thread worker([&received, fd = fds[0]] {
      rlx::pipeline::FrameReader reader(fd, "bench");
      rlx::Message m;
      while (reader.next(&m)) ++received;
    });
    {
      rlx::pipeline::Channel channel(fds[1], static_cast<size_t>(state.range(0)));
      for (const rlx::Message& m : messages) channel.push(m);
      channel.finish();
    }
    worker.join();
  }
  state.SetItemsProcessed(static_cast<int64_t>(received));
}
BENCHMARK(BM_ChannelRoundTrip)->Arg(1000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ReadCapture(benchmark::State& state) {
  const std::string path = data_file(kFile);
  if (!std::filesystem::exists(path)) {
    state.SkipWithError("missing capture");
    return;
  }
  uint64_t n = 0;
  for (auto _ : state) {
    rlx::io::BinanceRawReader reader(path);
    rlx::Message m;
    while (reader.next(&m)) ++n;
  }
  state.SetItemsProcessed(static_cast<int64_t>(n));
}
BENCHMARK(BM_ReadCapture)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
