// ProgressLine: how far a long command (`cdcd replay`, `cdcd state`) got, on
// stderr. On a terminal one line redrawn in place with a bar, at most ten
// times a second; otherwise (a log file, a pipe) a plain line every five
// seconds. finish() prints the final state once, on a line of its own.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "cdc/capture.h"

namespace cdc {

class ProgressLine {
 public:
  // `label` starts each line ("replay", "state").
  ProgressLine(std::string label, std::FILE* out = stderr);

  // `detail` follows the percentage, e.g. "read 120,000 written 118,000";
  // `records` (a running count, maybe from before this process) gives the
  // rate from its first value on.
  void update(const CaptureProgress& progress, uint64_t records, const std::string& detail);
  void finish(const CaptureProgress& progress, uint64_t records, const std::string& detail);

  // 1234567 -> "1,234,567"
  static std::string Count(uint64_t n);
  // 75.4 -> "1:15", 3725 -> "1:02:05"
  static std::string Duration(double seconds);
  // 0.25 -> "[######..................]"
  static std::string Bar(double fraction);

 private:
  std::string render(const CaptureProgress& progress, uint64_t records, const std::string& detail,
                     bool bar);

  using Clock = std::chrono::steady_clock;
  std::string label_;
  std::FILE* out_;
  bool tty_;
  Clock::time_point started_, last_;
  size_t last_width_ = 0;
  std::optional<uint64_t> first_records_;
};

}  // namespace cdc
