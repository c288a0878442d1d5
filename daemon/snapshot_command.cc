#include "daemon/snapshot_command.h"

#include <httplib.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "cdc/error.h"
#include "config/daemon_config.h"
#include "daemon/daemon.h"

namespace cdc {

int RunSnapshotCommand(const SnapshotCommand& cmd) {
  DaemonConfig config = LoadConfigFile(cmd.config_path);
  const PipelineConfig& pipeline = *SelectPipelines(config, cmd.pipeline).front();
  if (!config.http.enabled) {
    throw ConfigError(cmd.config_path +
                      ": http is disabled, and `cdcd snapshot` asks the running daemon over HTTP; "
                      "enable it, or insert an execute-snapshot row into the signal table");
  }
  const std::string& listen = config.http.listen;
  const auto colon = listen.rfind(':');
  const int port = colon == std::string::npos ? 0 : std::atoi(listen.c_str() + colon + 1);
  if (port <= 0) {
    throw ConfigError(cmd.config_path + ": http.listen " + listen +
                      " names no fixed port to reach the daemon at");
  }
  std::string host = listen.substr(0, colon);
  if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
  nlohmann::json body = {{"tables", cmd.tables}};
  if (!cmd.where.empty()) body["where"] = cmd.where;
  httplib::Client client(host, port);
  client.set_connection_timeout(5);
  client.set_read_timeout(60);
  if (!config.http.token.empty()) client.set_bearer_token_auth(config.http.token);
  httplib::Result res =
      client.Post("/pipelines/" + pipeline.name + "/snapshots", body.dump(), "application/json");
  if (!res) {
    std::fprintf(stderr, "cdcd: cannot reach cdcd at %s:%d (%s): is it running with %s?\n",
                 host.c_str(), port, httplib::to_string(res.error()).c_str(),
                 cmd.config_path.c_str());
    return 1;
  }
  std::fputs(res->body.c_str(), res->status == 202 ? stdout : stderr);
  if (res->status == 202) return 0;
  return res->status == 400 || res->status == 404 ? 2 : 1;
}

}  // namespace cdc
