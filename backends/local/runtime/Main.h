// The entry point of every executable `flytec build` makes: the generated main() calls
// this with the compiled plan's protobuf bytes and the workflow to run.
#pragma once

#include <cstddef>

extern "C" int flyte_runtime_main(int argc, char** argv, const unsigned char* plan, size_t size,
                                  const char* workflow);
