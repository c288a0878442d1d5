#include "tests/conformance/mariadb_captures.h"

#include <unistd.h>

namespace cdc::testing {
namespace {

std::vector<std::string> Qualified(const std::string& database,
                                   const std::vector<std::string>& tables) {
  std::vector<std::string> out;
  for (const std::string& t : tables) out.push_back(database + "." + t);
  return out;
}

// A replica id per process and side, so parallel runs do not collide.
uint32_t ServerId(const std::string& who, const CaptureSide& side) {
  return 300000 + static_cast<uint32_t>(getpid() % 100000) * 4 + (who == "dbz" ? 0 : 2) +
         (side.schemas ? 1 : 0);
}

}  // namespace

std::string MariaDbDebeziumProperties(const mysql::MySqlConnectOptions& server,
                                      const std::string& database, const CaptureSide& side,
                                      const std::vector<std::string>& tables,
                                      const std::string& dir) {
  return "connector.class=io.debezium.connector.mariadb.MariaDbConnector\n"
         "database.hostname=" +
         server.host + "\ndatabase.port=" + std::to_string(server.port) +
         "\ndatabase.user=" + server.user + "\ndatabase.password=" + server.password +
         "\ndatabase.server.id=" + std::to_string(ServerId("dbz", side)) +
         "\ntopic.prefix=" + side.prefix +
         "\ntable.include.list=" + DebeziumIncludeList(Qualified(database, tables)) +
         "\nsnapshot.mode=initial\n"
         // Its history keeps the DDL of the captured tables only: it cannot
         // parse every table of the database (INET4/INET6).
         "schema.history.internal=io.debezium.storage.file.history.FileSchemaHistory\n"
         "schema.history.internal.file.filename=" +
         dir +
         "/history.dat\nschema.history.internal.store.only.captured.tables.ddl=true\n"
         // Schema-change records are off on both sides (capture_processes.h).
         "include.schema.changes=false\n"
         // As for PostgreSQL (postgres_captures.cc): truncates and real NULLs.
         "skipped.operations=none\nvalue.converter.replace.null.with.default=false\n" +
         DebeziumOffsetProperties(dir);
}

std::string MariaDbCdcdPipeline(const mysql::MySqlConnectOptions& server,
                                const std::string& database, const CaptureSide& side,
                                const std::vector<std::string>& tables, const std::string& out) {
  std::string list;
  for (const std::string& t : Qualified(database, tables)) {
    list += (list.empty() ? "" : ", ") + Quoted(t);
  }
  return "  - name: " + side.prefix +
         "\n    source:\n      type: mysql\n      host: " + server.host +
         "\n      port: " + std::to_string(server.port) + "\n      user: " + server.user +
         "\n      password: " + Quoted(server.password) +
         "\n      ssl_mode: disabled\n      server_id: " + std::to_string(ServerId("cdcd", side)) +
         "\n      tables: [" + list + "]\n      signal_table: " + database + ".signal_" +
         side.prefix +
         // One table after the other, in the order listed, as Debezium does.
         "\n      snapshot: {mode: initial, workers: 1, keyless_tables: reread}\n" +
         CdcdSinkAndFormat(side, out);
}

}  // namespace cdc::testing
