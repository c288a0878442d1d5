// Logging set-up: spdlog as text lines for people or JSON lines for log
// shippers. The level comes from the config unless CDCD_LOG_LEVEL is set.
#pragma once

#include <string>

namespace cdc {

// `level`: trace|debug|info|warn|error|off. `format`: text|json.
// Throws ConfigError for anything else. With text on a terminal, log lines
// go through a StatusLineSink so that long work can show a live status.
void ConfigureLogging(const std::string& level, const std::string& format);

// True while log lines go to a terminal with a live status line under them:
// progress then belongs in the status (SetStatusLine), not in a log line
// every few seconds.
bool StatusLineShown();
// Shows `text` as the live status (empty erases it); nothing when
// !StatusLineShown(). Thread-safe.
void SetStatusLine(const std::string& text);

}  // namespace cdc
