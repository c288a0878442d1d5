// MySqlSource: a Source reading one MySQL or MariaDB server's binlog as a
// replica. The MySQL pieces are MySqlConnector's (mysql_connector.h: checks,
// snapshot point, binlog stream); snapshot modes, initial and incremental
// snapshots and the offsets' state are the shared SourceCoordinator's
// (cdc/coordinated_source.h). Config: MySqlSourceOptions.
#pragma once

#include "cdc/coordinated_source.h"
#include "cdc/registry.h"
#include "sources/mysql/mysql_connector.h"
#include "sources/mysql/mysql_options.h"

namespace cdc::mysql {

class MySqlSource : public CoordinatedSource {
 public:
  explicit MySqlSource(const MySqlSourceOptions& options);

  const MySqlSourceOptions& options() const {
    return static_cast<const MySqlConnector&>(connector()).options();
  }
};

void RegisterMySqlSource(Registry& registry);

}  // namespace cdc::mysql

namespace cdc {
using mysql::RegisterMySqlSource;
}  // namespace cdc
