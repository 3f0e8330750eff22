// The runner of `cpp("file.cpp", "ns::fn")` tasks: the function is compiled into the
// executable with glue that `flytec build` generates (backends/local/CppGlue.cpp), which
// registers one entry point per task at start-up. One attempt calls the entry point in
// this process with the task's arguments and a flyte::Context (attempt number, device,
// a log, cancellation, checkpoints that later attempts and resumed runs restore); an
// exception is a failed attempt with its message.
#pragma once

#include <atomic>

#include "backends/local/runtime/TaskRunner.h"

namespace flyte::rt {

class CppRunner final : public TaskRunner {
 public:
  AttemptResult run(const AttemptSpec& spec, const std::atomic<bool>& cancel) override;
};

}  // namespace flyte::rt
