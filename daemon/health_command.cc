#include "daemon/health_command.h"

#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <regex>

#include "cdc/error.h"

namespace cdc {

int RunHealthCommand(const std::string& url, int timeout_ms) {
  static const std::regex shape(R"(http://([^/:]+|\[[0-9a-fA-F:.]+\]):(\d{1,5})(/.*)?)");
  std::smatch m;
  if (!std::regex_match(url, m, shape)) {
    throw ConfigError("health: --url " + url + ": expected http://HOST:PORT/PATH");
  }
  std::string host = m[1];
  if (host.front() == '[') host = host.substr(1, host.size() - 2);
  const int port = std::stoi(m[2]);
  const std::string path = m[3].length() ? std::string(m[3]) : "/healthz";
  httplib::Client client(host, port);
  const auto timeout = std::chrono::milliseconds(timeout_ms);
  client.set_connection_timeout(timeout);
  client.set_read_timeout(timeout);
  auto res = client.Get(path);
  if (!res) {
    std::fprintf(stderr, "cdcd health: %s: no answer (%s)\n", url.c_str(),
                 httplib::to_string(res.error()).c_str());
    return 1;
  }
  if (res->status != 200) {
    std::fprintf(stderr, "cdcd health: %s: %d %s", url.c_str(), res->status, res->body.c_str());
    return 1;
  }
  std::fputs(res->body.c_str(), stdout);
  return 0;
}

}  // namespace cdc
