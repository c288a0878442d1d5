#include "cdc/status_line.h"

namespace cdc {
namespace {

constexpr char kEraseLine[] = "\r\x1b[2K";

}  // namespace

void StatusLineSink::set_status(const std::string& text) {
  std::lock_guard lock(mutex_);
  if (text == status_) return;
  std::string out = kEraseLine + text;
  status_ = text;
  std::fwrite(out.data(), 1, out.size(), out_);
  std::fflush(out_);
}

void StatusLineSink::sink_it_(const spdlog::details::log_msg& msg) {
  spdlog::memory_buf_t line;
  formatter_->format(msg, line);
  if (!status_.empty()) std::fputs(kEraseLine, out_);
  std::fwrite(line.data(), 1, line.size(), out_);
  if (!status_.empty()) std::fwrite(status_.data(), 1, status_.size(), out_);
  std::fflush(out_);
}

void StatusLineSink::flush_() {
  std::fflush(out_);
}

}  // namespace cdc
