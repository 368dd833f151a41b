// The cost of rlx::stats on 10^5 values a side (two normal samples, the second shifted by 0.01
// sd), so a `rlx validate` window's budget is known; the KS exact path at its largest size too.
// Run: rlx_two_sample_benchmark --benchmark_repetitions=5 (docs/STATISTICS.md quotes the medians).
// With RLX_STATS_SAMPLES=DIR the samples are DIR/x.f64 and DIR/y.f64 (raw little-endian
// doubles) instead: bench/stats_vs_scipy.sh times scipy on the same files.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "rlx/stats/distance.h"
#include "rlx/stats/mmd.h"
#include "rlx/stats/tail.h"
#include "rlx/stats/two_sample.h"

namespace rlx::stats {
namespace {

constexpr size_t kDefaultN = 100000;

std::vector<double> normal_sample(size_t n, double shift, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(shift, 1.0);
  std::vector<double> out(n);
  for (double& v : out) v = normal(rng);
  return out;
}

// DIR/name from RLX_STATS_SAMPLES, or a generated sample.
std::vector<double> sample(const char* name, double shift, uint64_t seed) {
  const char* dir = std::getenv("RLX_STATS_SAMPLES");
  if (dir == nullptr) return normal_sample(kDefaultN, shift, seed);
  std::ifstream in(std::string(dir) + "/" + name, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<double> out(bytes.size() / sizeof(double));
  std::memcpy(out.data(), bytes.data(), out.size() * sizeof(double));
  return out;
}

const std::vector<double>& x() {
  static const std::vector<double> v = sample("x.f64", 0.0, 1);
  return v;
}
const std::vector<double>& y() {
  static const std::vector<double> v = sample("y.f64", 0.01, 2);
  return v;
}

void count_values(benchmark::State& state, size_t values) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * values));
}

void BM_KsTwoSample(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(ks_2samp(x(), y()));
  count_values(state, x().size() + y().size());
}
BENCHMARK(BM_KsTwoSample)->Unit(benchmark::kMillisecond);

// The exact p-value at the largest sizes scipy's 'auto' takes it for (10^4 a side, unequal so
// the lattice-path recursion runs), on samples 0.1 sd apart: D about 0.04.
void BM_KsTwoSampleExactLargest(benchmark::State& state) {
  const std::vector<double> a = normal_sample(10000, 0.0, 3);
  const std::vector<double> b = normal_sample(9999, 0.1, 4);
  for (auto _ : state) benchmark::DoNotOptimize(ks_2samp(a, b));
  count_values(state, a.size() + b.size());
}
BENCHMARK(BM_KsTwoSampleExactLargest)->Unit(benchmark::kMillisecond);

void BM_CramerVonMises(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(cramervonmises_2samp(x(), y()));
  count_values(state, x().size() + y().size());
}
BENCHMARK(BM_CramerVonMises)->Unit(benchmark::kMillisecond);

void BM_AndersonDarling(benchmark::State& state) {
  const std::vector<std::span<const double>> samples = {x(), y()};
  for (auto _ : state) benchmark::DoNotOptimize(anderson_ksamp(samples));
  count_values(state, x().size() + y().size());
}
BENCHMARK(BM_AndersonDarling)->Unit(benchmark::kMillisecond);

void BM_EnergyDistance(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(energy_distance(x(), y()));
  count_values(state, x().size() + y().size());
}
BENCHMARK(BM_EnergyDistance)->Unit(benchmark::kMillisecond);

void BM_WassersteinDistance(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(wasserstein_distance(x(), y()));
  count_values(state, x().size() + y().size());
}
BENCHMARK(BM_WassersteinDistance)->Unit(benchmark::kMillisecond);

void BM_MmdLinearMedianHeuristic(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(mmd_linear(x(), y()));
  count_values(state, x().size() + y().size());
}
BENCHMARK(BM_MmdLinearMedianHeuristic)->Unit(benchmark::kMillisecond);

void BM_MmdLinearGivenBandwidth(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(mmd_linear(x(), y(), MmdOptions{.bandwidth = 1}));
  count_values(state, x().size() + y().size());
}
BENCHMARK(BM_MmdLinearGivenBandwidth)->Unit(benchmark::kMillisecond);

void BM_Hill(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(hill_estimator(x(), 1000));
  count_values(state, x().size());
}
BENCHMARK(BM_Hill)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rlx::stats

BENCHMARK_MAIN();
