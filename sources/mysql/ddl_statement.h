// DdlStatement: which tables a DDL QUERY event changes.
//
// The binlog carries DDL as SQL text only, and the next TABLE_MAP of a table
// shows its new columns, so cdcd needs just the statement's kind and target
// tables: to announce the change (a schema-change event with the text), to
// turn TRUNCATE into truncate events, and to make the schema tracker start a
// new version. Recognised: CREATE/ALTER/DROP/TRUNCATE/RENAME TABLE (with
// IF [NOT] EXISTS, TEMPORARY, OR REPLACE, lists of tables, `quoted` and
// db.table names, leading /* comments */). Other DDL (CREATE INDEX ... ON t,
// DROP DATABASE, views, routines) is reported with kind kOther and, where the
// statement names one, its table.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cdc::mysql {

struct DdlStatement {
  enum class Kind { kCreateTable, kAlterTable, kDropTable, kRenameTable, kTruncate, kOther };
  Kind kind = Kind::kOther;
  bool temporary = false;  // CREATE/DROP TEMPORARY TABLE: no table cdcd captures
  // (database, table); the database is the QUERY event's current database
  // when the statement does not qualify the name. RENAME lists old and new.
  std::vector<std::pair<std::string, std::string>> tables;
};

DdlStatement ParseDdl(std::string_view query, const std::string& default_database);

const char* DdlKindName(DdlStatement::Kind kind);

}  // namespace cdc::mysql
