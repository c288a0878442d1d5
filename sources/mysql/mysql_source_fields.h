// The connector-specific part of a MySQL/MariaDB event's source block.
//
// Debezium's MySQL and MariaDB connectors both write, after `table`:
// server_id (int64), gtid (optional string), file (string), pos (int64),
// row (int32), thread (optional int64) and query (optional string, null
// unless the server logs statements and the connector is asked for them).
// Every event carries them all, in that order, so one schema serves the
// snapshot and the stream: snapshot rows have server_id 0, no gtid, the
// snapshot's binlog point and row 0.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cdc/change_event.h"

namespace cdc::mysql {

struct MySqlSourcePlace {
  uint32_t server_id = 0;
  std::string gtid;  // the event's own transaction; empty: none
  std::string file;
  uint64_t pos = 0;
  int32_t row = 0;      // the row's index within its rows event
  uint64_t thread = 0;  // 0: unknown
};

std::vector<SourceField> MySqlSourceFields(const MySqlSourcePlace& at);

// "mariadb" for MariaDB servers (Debezium's MariaDB connector), else "mysql".
inline const char* ConnectorName(bool mariadb) {
  return mariadb ? "mariadb" : "mysql";
}

}  // namespace cdc::mysql
