#include "daemon/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace cdc {
namespace {

void Family(std::ostringstream& m, const char* name, const char* type, const char* help,
            double value) {
  m << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n"
    << name << " " << value << "\n";
}

}  // namespace

std::string ProcessMetricsText() {
  std::ostringstream m;
  m.precision(15);
  // statm: size resident shared ... in pages.
  std::ifstream statm("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  if (statm >> size >> resident) {
    Family(m, "cdcd_process_resident_memory_bytes", "gauge", "Resident memory of the process.",
           static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)));
  }
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) == 0) {
    const double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                       static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    Family(m, "cdcd_process_cpu_seconds_total", "counter", "User and system CPU time used.", cpu);
  }
  std::error_code ec;
  uint64_t fds = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++fds;
  }
  if (!ec) {
    // The directory iterator's own descriptor is among them.
    Family(m, "cdcd_process_open_fds", "gauge", "Open file descriptors.",
           static_cast<double>(fds > 0 ? fds - 1 : 0));
  }
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    Family(m, "cdcd_process_max_fds", "gauge", "The limit on open file descriptors.",
           static_cast<double>(limit.rlim_cur));
  }
  return m.str();
}

}  // namespace cdc
