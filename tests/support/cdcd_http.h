// Finding a running cdcd's HTTP status server: tests configure
// `http: {listen: "127.0.0.1:0"}` and read the port cdcd logged.
#pragma once

#include <chrono>
#include <filesystem>
#include <regex>
#include <string>
#include <thread>

#include "tests/support/test_support.h"

namespace cdc::testing {

// The port cdcd logged in `log` for its HTTP server ("... on
// 127.0.0.1:PORT"), or 0.
inline int LoggedHttpPort(const std::string& log) {
  std::smatch m;
  static const std::regex re(R"(serving .* on 127\.0\.0\.1:(\d+))");
  return std::regex_search(log, m, re) ? std::stoi(m[1]) : 0;
}

// Waits up to 5 s for cdcd to log its HTTP port in the file `log_path`;
// 0 if it did not.
inline int WaitForHttpPort(const std::string& log_path) {
  for (int i = 0; i < 200; ++i) {
    // The child creates the log file only once it runs.
    if (std::filesystem::exists(log_path)) {
      if (int port = LoggedHttpPort(ReadFile(log_path))) return port;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return 0;
}

}  // namespace cdc::testing
