// The MariaDB halves of the conformance captures (capture_processes.h):
// Debezium 3.5.0's MariaDB connector (the last Debezium MariaDB connector
// released; tests/conformance/debezium/README.md) and cdcd's mysql source,
// each its own replica (server id) of one test database.
#pragma once

#include <string>
#include <vector>

#include "sources/mysql/mysql_connection.h"
#include "tests/conformance/capture_processes.h"

namespace cdc::testing {

// The pom of the Debezium MariaDB connector (run.sh's CDCD_DBZ_POM).
inline constexpr const char* kMariaDbPom = "pom-mariadb.xml";

// Debezium's MariaDB connector reading `tables` of `database` with
// snapshot.mode=initial, defaults except where noted; offsets and schema
// history in `dir`.
std::string MariaDbDebeziumProperties(const mysql::MySqlConnectOptions& server,
                                      const std::string& database, const CaptureSide& side,
                                      const std::vector<std::string>& tables,
                                      const std::string& dir);

// One mysql -> file pipeline (a list item under `pipelines:`).
std::string MariaDbCdcdPipeline(const mysql::MySqlConnectOptions& server,
                                const std::string& database, const CaptureSide& side,
                                const std::vector<std::string>& tables, const std::string& out);

}  // namespace cdc::testing
