// `cdcd health`: asks a running cdcd's HTTP endpoint whether it is well, for
// container health checks and readiness probes (the runtime image has no curl).
#pragma once

#include <string>

namespace cdc {

inline constexpr const char* kDefaultHealthUrl = "http://127.0.0.1:8083/healthz";

// GETs `url` (http://HOST:PORT/PATH): 0 and the answer on stdout when it is
// 200; 1 with the reason on stderr when it is not or nothing answers within
// `timeout_ms`. ConfigError for a URL of another shape.
int RunHealthCommand(const std::string& url, int timeout_ms);

}  // namespace cdc
