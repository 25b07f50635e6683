// allocator.h: how NN Lab's programs (nnlab, nnlab_bench) configure the C allocator at start-up.
#pragma once

namespace nnlab {

// Keeps freed memory in the process for the next tensor of a similar size. glibc otherwise maps
// every block above 128 KB–32 MB afresh and unmaps it on free, so a large tensor (a convolution's
// output, a batch of feature maps) is page-faulted and zeroed by the kernel on every call: a
// 3×512² → 64-filter forward (64 MB out) measured 49 ms with that and 18 ms without it. All blocks
// come from the heap and the heap gives memory back to the system once 1 GiB is free at its top.
// Call once, first thing in main(); a no-op where the C library is not glibc.
void keepFreedMemoryForReuse();

} // namespace nnlab
