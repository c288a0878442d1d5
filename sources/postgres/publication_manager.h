// PublicationManager: keeps the publication equal to the configured tables.
//
// The wanted set is every table (ordinary or partitioned root, outside system
// schemas) matching a `tables` pattern and no `exclude_tables` pattern; an
// empty `tables` means every table. A pattern without '*' that matches no
// table is an error ("table not found"), since it is most likely a typo.
// The publication is created if missing, and otherwise changed with
// ALTER PUBLICATION ... SET TABLE when its tables differ, so that a table
// added to `tables` is published from the next start on. A user without the
// rights for either (CREATE on the database, owning the tables or the
// publication) gets an Error that ends with the statement the owner must run. Tables without a
// primary key are reported through `warn` (their events have a null key and
// their updates no `before` unless REPLICA IDENTITY FULL).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sources/postgres/pg_catalog.h"
#include "sources/postgres/pg_connection.h"

namespace cdc::pg {

struct PublicationSync {
  std::vector<PgTableInfo> tables;  // the published tables
  bool created = false;
  bool altered = false;
};

PublicationSync SyncPublication(PgConnection& conn, const std::string& publication,
                                const std::vector<std::string>& tables,
                                const std::vector<std::string>& exclude_tables,
                                const std::function<void(const std::string&)>& warn);

}  // namespace cdc::pg
