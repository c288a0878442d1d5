// Logging set-up: spdlog as text lines for people or JSON lines for log
// shippers. The level comes from the config unless CDCD_LOG_LEVEL is set.
#pragma once

#include <string>

namespace cdc {

// `level`: trace|debug|info|warn|error|off. `format`: text|json.
// Throws ConfigError for anything else.
void ConfigureLogging(const std::string& level, const std::string& format);

}  // namespace cdc
