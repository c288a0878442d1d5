#include "sources/postgres/publication_manager.h"

#include <set>

#include "sources/postgres/postgres_options.h"

namespace cdc::pg {

PublicationSync SyncPublication(PgConnection& conn, const std::string& publication,
                                const std::vector<std::string>& tables,
                                const std::vector<std::string>& exclude_tables,
                                const std::function<void(const std::string&)>& warn) {
  PgCatalog catalog(conn);
  std::vector<PgTableInfo> all = catalog.tables();
  std::string database = conn.exec("SELECT current_database()", "reading database name").get(0, 0);
  PublicationSync out;
  std::vector<std::string> patterns = tables.empty() ? std::vector<std::string>{"*.*"} : tables;
  for (const std::string& p : patterns) {
    bool matched = false;
    for (const PgTableInfo& t : all) matched |= TableMatches(p, t.qualified());
    if (!matched && p.find('*') == std::string::npos) {
      throw Error(conn.context() + ": table " + p + " (from `tables`) not found in database " +
                  database);
    }
  }
  for (const PgTableInfo& t : all) {
    bool in = false, out_ = false;
    for (const std::string& p : patterns) in |= TableMatches(p, t.qualified());
    for (const std::string& p : exclude_tables) out_ |= TableMatches(p, t.qualified());
    if (in && !out_) out.tables.push_back(t);
  }
  if (out.tables.empty()) {
    throw Error(conn.context() + ": no table of database " + database +
                " matches `tables` minus `exclude_tables`: nothing to capture");
  }
  for (const PgTableInfo& t : out.tables) {
    if (!t.has_primary_key && t.replica_identity != 'f') {
      warn("table " + t.qualified() +
           " has no primary key: its events have a null key, and its updates and deletes carry "
           "no old values unless it has REPLICA IDENTITY FULL (deletes and updates fail on the "
           "server with REPLICA IDENTITY DEFAULT and no key)");
    } else if (!t.has_primary_key) {
      warn("table " + t.qualified() + " has no primary key: its events have a null key");
    }
  }

  std::string list;
  std::set<std::string> wanted;
  for (const PgTableInfo& t : out.tables) {
    if (!list.empty()) list += ", ";
    list += conn.quote_ident(t.schema) + "." + conn.quote_ident(t.name);
    wanted.insert(t.qualified());
  }
  PgResult exists = conn.exec_params("SELECT 1 FROM pg_publication WHERE pubname = $1",
                                     {publication}, "looking up publication " + publication);
  if (exists.rows() == 0) {
    conn.exec("CREATE PUBLICATION " + conn.quote_ident(publication) + " FOR TABLE " + list,
              "creating publication " + publication);
    out.created = true;
    return out;
  }
  PgResult current = conn.exec_params(
      "SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname = $1",
      {publication}, "reading tables of publication " + publication);
  std::set<std::string> have;
  for (int i = 0; i < current.rows(); ++i) have.insert(current.get(i, 0));
  if (have != wanted) {
    conn.exec("ALTER PUBLICATION " + conn.quote_ident(publication) + " SET TABLE " + list,
              "updating the tables of publication " + publication);
    out.altered = true;
  }
  return out;
}

}  // namespace cdc::pg
