#include "daemon/progress_line.h"

#include <unistd.h>

#include <algorithm>

namespace cdc {
namespace {

constexpr auto kTerminalEvery = std::chrono::milliseconds(100);
constexpr auto kLogEvery = std::chrono::seconds(5);
constexpr int kBarWidth = 24;

std::string ByteSize(uint64_t n) {
  char buf[32];
  const double v = static_cast<double>(n);
  if (n >= (uint64_t{1} << 30)) {
    std::snprintf(buf, sizeof buf, "%.1f GiB", v / (1 << 30));
  } else if (n >= (uint64_t{1} << 20)) {
    std::snprintf(buf, sizeof buf, "%.1f MiB", v / (1 << 20));
  } else {
    std::snprintf(buf, sizeof buf, "%.0f KiB", v / (1 << 10));
  }
  return buf;
}

}  // namespace

ProgressLine::ProgressLine(std::string label, std::FILE* out)
    : label_(std::move(label)),
      out_(out),
      tty_(isatty(fileno(out)) == 1),
      started_(Clock::now()),
      last_(started_) {}

std::string ProgressLine::Duration(double seconds) {
  const auto s = static_cast<int64_t>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lld:%02lld", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  }
  return buf;
}

std::string ProgressLine::Bar(double fraction) {
  const int filled = static_cast<int>(std::clamp(fraction, 0.0, 1.0) * kBarWidth);
  return "[" + std::string(filled, '#') + std::string(kBarWidth - filled, '.') + "]";
}

std::string ProgressLine::Count(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string ProgressLine::render(const CaptureProgress& p, uint64_t records,
                                 const std::string& detail, bool bar) {
  const double secs = std::chrono::duration<double>(Clock::now() - started_).count();
  const double fraction =
      p.total ? std::min(1.0, static_cast<double>(p.done) / static_cast<double>(p.total)) : 0;
  std::string line = label_ + ": ";
  if (bar && p.total) line += Bar(fraction) + " ";
  if (p.total) line += std::to_string(static_cast<int>(fraction * 100)) + "% ";
  const bool bytes = std::string(p.unit) == "bytes";
  if (p.total) {
    line += "(" +
            (bytes ? ByteSize(p.done) + " of " + ByteSize(p.total)
                   : Count(p.done) + " of " + Count(p.total) + " " + p.unit) +
            ") ";
  }
  line += detail;
  if (secs > 0) {
    const double rate = static_cast<double>(records - std::min(records, *first_records_)) / secs;
    line += ", " + Count(static_cast<uint64_t>(rate)) + " records/s";
  }
  if (p.total && fraction > 0 && fraction < 1) {
    line += ", ETA " + Duration(secs * (1 - fraction) / fraction);
  }
  line += ", " + Duration(secs) + " elapsed";
  return line;
}

void ProgressLine::update(const CaptureProgress& progress, uint64_t records,
                          const std::string& detail) {
  if (!first_records_) first_records_ = records;
  const auto now = Clock::now();
  if (now - last_ < (tty_ ? std::chrono::duration_cast<Clock::duration>(kTerminalEvery)
                          : std::chrono::duration_cast<Clock::duration>(kLogEvery))) {
    return;
  }
  last_ = now;
  std::string line = render(progress, records, detail, tty_);
  if (tty_) {
    const size_t width = line.size();
    if (width < last_width_) line += std::string(last_width_ - width, ' ');
    last_width_ = width;
    std::fprintf(out_, "\r%s", line.c_str());
  } else {
    std::fprintf(out_, "%s\n", line.c_str());
  }
  std::fflush(out_);
}

void ProgressLine::finish(const CaptureProgress& progress, uint64_t records,
                          const std::string& detail) {
  if (!first_records_) first_records_ = records;
  std::string line = render(progress, records, detail, tty_);
  if (tty_ && line.size() < last_width_) line += std::string(last_width_ - line.size(), ' ');
  std::fprintf(out_, "%s%s\n", tty_ ? "\r" : "", line.c_str());
  std::fflush(out_);
}

}  // namespace cdc
