#include "nnlab/allocator.h"

#include <cstdlib> // defines __GLIBC__ when the C library is glibc

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace nnlab {

void keepFreedMemoryForReuse() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_MAX, 0);             // no block of its own mapping: all from the heap, reusable
  mallopt(M_TRIM_THRESHOLD, 1 << 30); // return memory to the system above 1 GiB free at the top
#endif
}

} // namespace nnlab
