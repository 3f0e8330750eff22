// A small parallel_for over a fixed number of std::threads, one call at a time.
//
// Why not OpenMP or OpenBLAS's own threads: several tasks may run kernels at once in one
// process, each with its own CPU request (KernelContext::threads). OpenMP's and
// OpenBLAS's thread counts are process-global, so one task's setting would change
// another's. Every kernel therefore splits its work itself over `ctx.threads` threads it
// starts and joins within the call, and OpenBLAS is set to one thread per call, once for
// the process (see single_threaded_blas()): a GEMM splits its output into blocks, one
// cblas call per thread.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>

namespace flyte::rt::tensor {

/// Runs `fn(begin, end)` over [0, n) split into at most `threads` contiguous ranges of
/// at least `grain` items, on the calling thread and threads started for this call. The
/// split depends only on n, threads and grain, so a kernel that merges per-range results
/// in range order is deterministic. The first exception thrown by `fn` is rethrown.
void parallel_for(int threads, int64_t n, int64_t grain,
                  const std::function<void(int64_t begin, int64_t end)>& fn);

/// The number of ranges parallel_for(threads, n, grain, ...) uses; range i is
/// [i*n/parts, (i+1)*n/parts).
int parallel_parts(int threads, int64_t n, int64_t grain);

/// Calls `fn(part, begin, end)` for each of parallel_parts(threads, n, grain) ranges, in
/// parallel; for per-range partial results indexed by `part`.
void parallel_parts_for(int threads, int64_t n, int64_t grain,
                        const std::function<void(int part, int64_t begin, int64_t end)>& fn);

/// Sets OpenBLAS to one thread, once per process (kernels parallelize around it).
void single_threaded_blas();

}  // namespace flyte::rt::tensor
