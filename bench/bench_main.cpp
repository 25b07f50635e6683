// nnlab_bench's main: Google Benchmark's, after the allocator setting nnlab itself makes
// (app/main.cpp), so the benches time what the program does.
#include <benchmark/benchmark.h>

#include "nnlab/allocator.h"

int main(int argc, char** argv) {
  nnlab::keepFreedMemoryForReuse();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
