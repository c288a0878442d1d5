// `cdcd snapshot`: asks a running cdcd for an incremental snapshot, through
// its HTTP endpoint (POST /pipelines/P/snapshots).
//
//   cdcd snapshot --config F --pipeline P --table T [--table T]... [--where COND]
//
// F's http.listen says where the daemon is. The answer is printed; exit
// status 0 when the request was accepted (it is then durable in the
// source's signal table), 2 when it was refused (no such pipeline or table,
// a table without a key, bad SQL), 1 when the daemon cannot be reached.
#pragma once

#include <string>
#include <vector>

namespace cdc {

struct SnapshotCommand {
  std::string config_path;
  std::string pipeline;
  std::vector<std::string> tables;
  std::string where;
};

int RunSnapshotCommand(const SnapshotCommand& cmd);

}  // namespace cdc
