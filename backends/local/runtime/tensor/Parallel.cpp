// parallel_for over std::threads started per call (see Parallel.h for why).
#include "backends/local/runtime/tensor/Parallel.h"

#include <exception>
#include <mutex>
#include <thread>
#include <vector>

// OpenBLAS's own entry point, declared here so that any cblas.h (netlib's, OpenBLAS's)
// may be the one on the include path.
extern "C" void openblas_set_num_threads(int num_threads);

namespace flyte::rt::tensor {

int parallel_parts(int threads, int64_t n, int64_t grain) {
  if (n <= 0) return 0;
  grain = std::max<int64_t>(grain, 1);
  int64_t parts = std::min<int64_t>(std::max(threads, 1), (n + grain - 1) / grain);
  return static_cast<int>(std::max<int64_t>(parts, 1));
}

void parallel_parts_for(int threads, int64_t n, int64_t grain,
                        const std::function<void(int part, int64_t begin, int64_t end)>& fn) {
  int parts = parallel_parts(threads, n, grain);
  if (parts == 0) return;
  auto range = [&](int i) { return std::pair{i * n / parts, (i + 1) * n / parts}; };
  if (parts == 1) {
    fn(0, 0, n);
    return;
  }
  std::vector<std::exception_ptr> errors(static_cast<size_t>(parts));
  auto run = [&](int i) {
    try {
      auto [b, e] = range(i);
      fn(i, b, e);
    } catch (...) {
      errors[static_cast<size_t>(i)] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(static_cast<size_t>(parts - 1));
  for (int i = 1; i < parts; ++i) pool.emplace_back(run, i);
  run(0);
  for (std::thread& t : pool) t.join();
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
}

void parallel_for(int threads, int64_t n, int64_t grain,
                  const std::function<void(int64_t begin, int64_t end)>& fn) {
  parallel_parts_for(threads, n, grain, [&](int, int64_t b, int64_t e) { fn(b, e); });
}

void single_threaded_blas() {
  static std::once_flag once;
  std::call_once(once, [] { openblas_set_num_threads(1); });
}

}  // namespace flyte::rt::tensor
