#include "cdc/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "cdc/error.h"
#include "cdc/status_line.h"

namespace cdc {
namespace {

// One JSON object per line: {"ts", "level", "logger", "msg"}. spdlog's
// pattern formatter cannot escape the message, so this formatter does.
class JsonLineFormatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(msg.time.time_since_epoch()).count();
    nlohmann::json j = {
        {"ts_us", micros},
        {"level", spdlog::level::to_string_view(msg.level).data()},
        {"logger", std::string(msg.logger_name.data(), msg.logger_name.size())},
        {"msg", std::string(msg.payload.data(), msg.payload.size())},
    };
    std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    line += '\n';
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonLineFormatter>();
  }
};

// The status line of the current logger, if it has one.
std::mutex status_mu;
std::shared_ptr<StatusLineSink> status_sink;

}  // namespace

void ConfigureLogging(const std::string& level, const std::string& format) {
  std::string lvl = level, where = "log level";
  if (const char* env = std::getenv("CDCD_LOG_LEVEL"); env && *env) {
    lvl = env;
    where = "environment variable CDCD_LOG_LEVEL";
  }
  auto parsed = spdlog::level::from_str(lvl);
  if (parsed == spdlog::level::off && lvl != "off") {
    throw ConfigError(where + ": '" + lvl + "' is not one of trace|debug|info|warn|error|off");
  }
  if (format != "json" && format != "text") {
    throw ConfigError("log format '" + format + "' is not one of text|json");
  }
  // Logs go to stderr so that stdout stays free for command output.
  spdlog::drop("cdcd");
  std::shared_ptr<StatusLineSink> status;
  std::shared_ptr<spdlog::logger> logger;
  if (format == "text" && isatty(STDERR_FILENO) == 1) {
    status = std::make_shared<StatusLineSink>(stderr);
    logger = std::make_shared<spdlog::logger>("cdcd", status);
    spdlog::register_logger(logger);
  } else {
    logger = spdlog::stderr_logger_mt("cdcd");
  }
  {
    // A status drawn by the sink being replaced (a reload) is erased, or
    // the new sink's first line would follow it on the same line.
    std::lock_guard lock(status_mu);
    if (status_sink) status_sink->set_status("");
    status_sink = status;
  }
  if (format == "json") {
    logger->set_formatter(std::make_unique<JsonLineFormatter>());
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %^%-5l%$ %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(parsed);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
}

bool StatusLineShown() {
  std::lock_guard lock(status_mu);
  return status_sink != nullptr;
}

void SetStatusLine(const std::string& text) {
  std::shared_ptr<StatusLineSink> sink;
  {
    std::lock_guard lock(status_mu);
    sink = status_sink;
  }
  if (sink) sink->set_status(text);
}

}  // namespace cdc
