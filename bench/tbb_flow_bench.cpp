// The scheduler-overhead baseline for bench/local_bench.sh: the layered graph of
// bench/gen_layered.py built as a TBB flow graph and run, timed from the first node's
// construction to the end of wait_for_all(), in microseconds per node.
//
//   tbb_flow_bench [NODES [WIDTH [REPETITIONS [THREADS]]]]   # 100000 100 5 2
//
// Node i of a layer reads nodes i and (i + 1) % WIDTH of the layer before; the first
// layer computes n + n from the input n = 1, later layers alternate a + b and a / b, and
// a chain of WIDTH - 1 nodes sums the last layer, as in the generated workflow. Each node
// is a continue_node that reads its two inputs from a value array when both have
// finished. Prints one line per repetition and the median.
#include <oneapi/tbb/flow_graph.h>
#include <oneapi/tbb/global_control.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

namespace {

using Node = oneapi::tbb::flow::continue_node<oneapi::tbb::flow::continue_msg>;
using Msg = oneapi::tbb::flow::continue_msg;

// Builds and runs the graph once; returns the seconds taken and the workflow's result.
double run_once(int nodes, int width, std::int64_t& result) {
  const int layers = std::max(1, nodes / width);
  auto start = std::chrono::steady_clock::now();
  oneapi::tbb::flow::graph g;
  std::vector<std::int64_t> value(static_cast<std::size_t>(layers) * width + width - 1, 0);
  std::vector<std::unique_ptr<Node>> all;
  all.reserve(value.size());
  const std::int64_t n = 1;

  oneapi::tbb::flow::broadcast_node<Msg> source(g);
  for (int i = 0; i < width; ++i) {
    all.push_back(std::make_unique<Node>(g, [&value, i, n](const Msg&) {
      value[i] = n + n;
      return Msg{};
    }));
    oneapi::tbb::flow::make_edge(source, *all.back());
  }
  for (int layer = 1; layer < layers; ++layer) {
    const bool add = layer % 2 == 1;
    const std::size_t base = static_cast<std::size_t>(layer) * width;
    for (int i = 0; i < width; ++i) {
      const std::size_t self = base + i, a = base - width + i,
                        b = base - width + static_cast<std::size_t>((i + 1) % width);
      all.push_back(std::make_unique<Node>(g, [&value, self, a, b, add](const Msg&) {
        value[self] = add ? value[a] + value[b] : value[a] / value[b];
        return Msg{};
      }));
      oneapi::tbb::flow::make_edge(*all[a], *all.back());
      if (b != a) oneapi::tbb::flow::make_edge(*all[b], *all.back());
    }
  }
  // The return: a chain of nodes summing the last layer, each in the slot of its index.
  const std::size_t last = static_cast<std::size_t>(layers - 1) * width;
  for (int i = 1; i < width; ++i) {
    const std::size_t self = all.size(), prev = i == 1 ? last : self - 1, x = last + i;
    all.push_back(std::make_unique<Node>(g, [&value, self, prev, x](const Msg&) {
      value[self] = value[prev] + value[x];
      return Msg{};
    }));
    oneapi::tbb::flow::make_edge(*all[prev], *all.back());
    oneapi::tbb::flow::make_edge(*all[x], *all.back());
  }
  source.try_put(Msg{});
  g.wait_for_all();
  result = value[all.size() - 1];
  auto end = std::chrono::steady_clock::now();
  return std::chrono::duration<double>(end - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int nodes = argc > 1 ? std::atoi(argv[1]) : 100000;
  const int width = argc > 2 ? std::atoi(argv[2]) : 100;
  const int reps = argc > 3 ? std::atoi(argv[3]) : 5;
  const int threads = argc > 4 ? std::atoi(argv[4]) : 2;
  if (nodes < 1 || width < 1 || reps < 1 || threads < 1) {
    std::fprintf(stderr, "usage: tbb_flow_bench [NODES [WIDTH [REPETITIONS [THREADS]]]]\n");
    return 2;
  }
  oneapi::tbb::global_control limit(oneapi::tbb::global_control::max_allowed_parallelism,
                                    static_cast<std::size_t>(threads));
  const int layers = std::max(1, nodes / width);
  const long total = static_cast<long>(layers) * width + (width - 1);
  std::vector<double> us;
  for (int r = 0; r < reps; ++r) {
    std::int64_t result = 0;
    double s = run_once(nodes, width, result);
    us.push_back(s * 1e6 / static_cast<double>(total));
    std::printf("run %d: %ld nodes, %.3f s, %.3f us/node, result %lld\n", r + 1, total, s,
                us.back(), static_cast<long long>(result));
  }
  std::sort(us.begin(), us.end());
  std::printf("median: %.3f us/node\n", us[us.size() / 2]);
  return 0;
}
