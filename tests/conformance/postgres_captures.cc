#include "tests/conformance/postgres_captures.h"

namespace cdc::testing {

std::string PgSlot(const std::string& who, const CaptureSide& side, const std::string& tag) {
  return who + (side.schemas ? "_s_" : "_n_") + tag;
}

std::string PostgresDebeziumProperties(const PgServer& pg, const CaptureSide& side,
                                       const std::vector<std::string>& tables,
                                       const std::string& tag, const std::string& dir) {
  const std::string slot = PgSlot("dbz", side, tag);
  return "connector.class=io.debezium.connector.postgresql.PostgresConnector\n"
         "database.hostname=" +
         pg.host + "\ndatabase.port=" + pg.port + "\ndatabase.user=" + pg.user +
         "\ndatabase.password=\ndatabase.dbname=" + pg.dbname + "\ntopic.prefix=" + side.prefix +
         "\nplugin.name=pgoutput\nslot.name=" + slot + "\npublication.name=" + slot +
         "\npublication.autocreate.mode=filtered\ntable.include.list=" +
         DebeziumIncludeList(tables) +
         "\nsnapshot.mode=initial\n"
         // Debezium skips truncates by default ("t"); cdcd publishes them: compare them too.
         "skipped.operations=none\n"
         // Kafka's JsonConverter writes a column's default in place of an
         // actual NULL unless told not to; cdcd writes the NULL
         // (docs/debezium-compatibility.md, "NULL in a column with a default").
         "value.converter.replace.null.with.default=false\n" +
         DebeziumOffsetProperties(dir);
}

// The source as a user would write it; heartbeats off (Debezium's
// PostgreSQL connector has none by default, and cdcd's heartbeat messages
// would reach Debezium's slot).
std::string PostgresCdcdPipeline(const PgServer& pg, const CaptureSide& side,
                                 const std::vector<std::string>& tables, const std::string& tag,
                                 const std::string& out) {
  std::string list;
  for (const std::string& t : tables) list += (list.empty() ? "" : ", ") + Quoted(t);
  const std::string slot = PgSlot("cdcd", side, tag);
  return "  - name: " + side.prefix +
         "\n    source:\n      type: postgres\n      dsn: " + Quoted(pg.dsn) + "\n      tables: [" +
         list + "]\n      slot: " + slot + "\n      publication: " + slot +
         "\n      signal_table: public.signal_" + side.prefix +
         // One table after the other, in the order listed: Debezium's
         // snapshot.max.threads=1, so the first and last marks fall on the same rows.
         "\n      snapshot: {mode: initial, workers: 1, keyless_tables: reread}\n      "
         "heartbeat_interval: 0s\n"
         "      status_interval: 500ms\n" +
         CdcdSinkAndFormat(side, out);
}

}  // namespace cdc::testing
