// MySqlSource: a Source reading one MySQL or MariaDB server's binlog as a
// replica. The MySQL pieces are MySqlConnector's (mysql_connector.h: checks,
// snapshot point, binlog stream); snapshot modes, initial and incremental
// snapshots and the offsets' state are the shared SourceCoordinator's
// (cdc/source_coordinator.h). Config: MySqlSourceOptions.
#pragma once

#include <memory>
#include <optional>

#include "cdc/registry.h"
#include "cdc/source.h"
#include "cdc/source_coordinator.h"
#include "sources/mysql/mysql_connector.h"
#include "sources/mysql/mysql_options.h"

namespace cdc::mysql {

class MySqlSource : public Source {
 public:
  explicit MySqlSource(MySqlSourceOptions options);
  ~MySqlSource() override;

  void run(const std::optional<Offset>& from, Emitter& out, std::stop_token stop) override;
  void acknowledge(const Offset& committed) override;
  std::string request_snapshot(const std::vector<std::string>& tables,
                               const std::string& where) override;
  SnapshotStatus snapshot_status() const override;

  const MySqlSourceOptions& options() const { return options_; }

 private:
  MySqlSourceOptions options_;
  MySqlConnector connector_;
  SourceCoordinator coordinator_;
};

void RegisterMySqlSource(Registry& registry);

}  // namespace cdc::mysql

namespace cdc {
using mysql::RegisterMySqlSource;
}  // namespace cdc
