#include "cdc/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "cdc/error.h"

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

}  // namespace

void ConfigureLogging(const std::string& level, const std::string& format) {
  std::string lvl = level;
  if (const char* env = std::getenv("CDCD_LOG_LEVEL"); env && *env) lvl = env;
  auto parsed = spdlog::level::from_str(lvl);
  if (parsed == spdlog::level::off && lvl != "off") {
    throw ConfigError("log level '" + lvl + "' is not one of trace|debug|info|warn|error|off");
  }
  // Logs go to stderr so that stdout stays free for command output.
  spdlog::drop("cdcd");
  auto logger = spdlog::stderr_logger_mt("cdcd");
  if (format == "json") {
    logger->set_formatter(std::make_unique<JsonLineFormatter>());
  } else if (format == "text") {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %^%-5l%$ %v", spdlog::pattern_time_type::utc);
  } else {
    throw ConfigError("log format '" + format + "' is not one of text|json");
  }
  logger->set_level(parsed);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
}

}  // namespace cdc
