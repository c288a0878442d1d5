#include "daemon/allocator.h"

#include <sys/types.h>

#include <cstddef>

#ifdef CDCD_JEMALLOC
#include <jemalloc/jemalloc.h>

// Read by jemalloc before the first allocation; MALLOC_CONF, read after it,
// overrides each option it names.
//  - narenas:1: jemalloc's default is four arenas per core, each keeping
//    its own free pages; cdcd has a handful of busy threads, which the
//    per-thread caches in front of one arena serve as fast, and a snapshot
//    peaked at 58-59 MiB with one arena against 61-66 MiB with two.
//  - dirty_decay_ms:1000, muzzy_decay_ms:0: freed pages go back to the kernel
//    after a second (default 10 s) and in one step, so a burst (a large
//    transaction, a snapshot's chunks) does not stay resident.
extern "C" {
const char* malloc_conf = "narenas:1,dirty_decay_ms:1000,muzzy_decay_ms:0";
}
#endif

namespace cdc {

std::string AllocatorDescription() {
#ifdef CDCD_JEMALLOC
  const char* version = nullptr;
  size_t size = sizeof(version);
  unsigned arenas = 0;
  size_t arenas_size = sizeof(arenas);
  ssize_t decay_ms = 0;
  size_t decay_size = sizeof(decay_ms);
  if (mallctl("version", &version, &size, nullptr, 0) != 0 ||
      mallctl("opt.narenas", &arenas, &arenas_size, nullptr, 0) != 0 ||
      mallctl("opt.dirty_decay_ms", &decay_ms, &decay_size, nullptr, 0) != 0) {
    return "jemalloc (its settings could not be read)";
  }
  std::string v(version);
  v = v.substr(0, v.find('-'));  // "5.3.0-0-g<commit>" -> "5.3.0"
  return "jemalloc " + v + " (arenas: " + std::to_string(arenas) +
         ", dirty_decay_ms: " + std::to_string(decay_ms) + ")";
#else
  return "system malloc";
#endif
}

}  // namespace cdc
