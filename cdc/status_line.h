// StatusLineSink: log lines for a terminal with one live status line under
// them (a snapshot's progress bar). Every log line first erases the status,
// then prints itself, then redraws the status, so the bar always sits below
// the newest line and no line is overwritten.
//
// Only for a terminal: the status is drawn with a carriage return and the
// "erase line" escape, which a log file or a pipe would keep as garbage.
// ConfigureLogging installs it when stderr is a terminal and the log format
// is text; elsewhere progress stays as plain log lines.
#pragma once

#include <spdlog/sinks/base_sink.h>

#include <cstdio>
#include <mutex>
#include <string>

namespace cdc {

class StatusLineSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit StatusLineSink(std::FILE* out) : out_(out) {}

  // Shows `text` (one line, no newline; it should fit the terminal's width
  // or the terminal wraps it and the next redraw leaves its first part
  // behind) as the status; empty erases it.
  void set_status(const std::string& text);

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override;

 private:
  std::FILE* out_;
  std::string status_;  // under the base sink's mutex
};

}  // namespace cdc
