// The cdcd process's malloc.
//
// The cdcd binary links jemalloc (CMake option CDCD_JEMALLOC, on by default;
// off in the sanitizer builds) and tunes it in allocator.cc. Why: a source
// allocates each row's values on its thread and another thread frees them
// (the commit thread, or the source after a handed-back batch); glibc's
// malloc serves that pattern through its slow paths, which cost a third of
// a snapshot's CPU (docs/benchmarks.md). The tuning keeps the footprint small
// on any number of cores: one arena behind the per-thread caches, and freed
// pages returned to the kernel within a second. MALLOC_CONF in the
// environment overrides it (jemalloc's syntax, e.g. MALLOC_CONF=narenas:4).
#pragma once

#include <string>

namespace cdc {

// "jemalloc 5.3.0 (arenas: 1, dirty_decay_ms: 1000)" as configured in this
// process, or "system malloc" when the binary was built without jemalloc.
std::string AllocatorDescription();

}  // namespace cdc
