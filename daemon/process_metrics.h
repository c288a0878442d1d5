// The process's own resource use for /metrics, read from /proc/self:
// cdcd_process_resident_memory_bytes, cdcd_process_cpu_seconds_total,
// cdcd_process_open_fds, cdcd_process_max_fds. An unreadable file leaves its
// family out rather than reporting a made-up value.
#pragma once

#include <string>

namespace cdc {

// Prometheus text for the families above (HELP, TYPE and one sample each).
std::string ProcessMetricsText();

}  // namespace cdc
