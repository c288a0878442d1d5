#include "daemon/snapshot_bar.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "cdc/logging.h"
#include "daemon/progress_line.h"

namespace cdc {
namespace {

constexpr auto kRedrawEvery = std::chrono::milliseconds(200);
constexpr size_t kDefaultWidth = 80;

size_t TerminalWidth() {
  winsize ws{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return kDefaultWidth;
}

}  // namespace

SnapshotBar::SnapshotBar(Poll poll) : poll_(std::move(poll)) {
  if (StatusLineShown()) thread_ = std::thread([this] { loop(); });
}

SnapshotBar::~SnapshotBar() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  SetStatusLine("");
}

void SnapshotBar::loop() {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, kRedrawEvery, [this] { return stop_; })) {
    lock.unlock();
    SetStatusLine(Render(poll_(), TerminalWidth()));
    lock.lock();
  }
}

std::string SnapshotBar::RenderOne(const std::string& pipeline, const SnapshotStatus& s) {
  // What matters most comes first: a narrow terminal cuts the end.
  std::string line = pipeline + ": " + (s.kind == "initial" ? "" : s.kind + " ") + "snapshot ";
  if (!s.table.empty()) line += s.table + " ";
  std::string rows = ProgressLine::Count(s.rows);
  if (s.rows_estimated > 0) {
    const double fraction = std::min(1.0, static_cast<double>(s.rows) / s.rows_estimated);
    line +=
        std::to_string(static_cast<int>(fraction * 100)) + "% " + ProgressLine::Bar(fraction) + " ";
    rows += " of ~" + ProgressLine::Count(static_cast<uint64_t>(s.rows_estimated));
  }
  line +=
      rows + " rows, " + ProgressLine::Count(static_cast<uint64_t>(s.rows_per_second)) + " rows/s";
  if (s.eta_seconds >= 0) line += ", ETA " + ProgressLine::Duration(s.eta_seconds);
  if (s.tables_total > 1) {
    const size_t current = std::min(s.tables_done + 1, s.tables_total);
    line += ", table " + std::to_string(current) + " of " + std::to_string(s.tables_total);
  }
  return line;
}

std::string SnapshotBar::Render(const std::vector<std::pair<std::string, SnapshotStatus>>& statuses,
                                size_t width) {
  std::string text;
  for (const auto& [pipeline, s] : statuses) {
    if (s.kind.empty()) continue;
    if (!text.empty()) text += " | ";
    text += RenderOne(pipeline, s);
  }
  // One column short of the width: a line that fills it wraps on some
  // terminals, and the next redraw would then leave a stale line behind.
  if (width > 1 && text.size() > width - 1) text.resize(width - 1);
  return text;
}

}  // namespace cdc
