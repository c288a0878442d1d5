#include "sources/postgres/publication_manager.h"

#include <set>

#include "sources/postgres/postgres_options.h"

namespace cdc::pg {
namespace {

constexpr char kInsufficientPrivilege[] = "42501";

std::string Join(const std::set<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "no table" : out;
}

// Runs `sql`; a refusal for lack of rights gets `advice` added.
void ExecOrAdvise(PgConnection& conn, const std::string& sql, const std::string& step,
                  const std::string& advice) {
  try {
    conn.exec(sql, step);
  } catch (const PgServerError& e) {
    if (e.sqlstate() != kInsufficientPrivilege) throw;
    throw Error(std::string(e.what()) + ". " + advice);
  }
}

}  // namespace

PublicationSync SyncPublication(PgConnection& conn, const std::string& publication,
                                const std::vector<std::string>& tables,
                                const std::vector<std::string>& exclude_tables,
                                const std::function<void(const std::string&)>& warn) {
  PgCatalog catalog(conn);
  std::vector<PgTableInfo> all = catalog.tables();
  PgResult who = conn.exec("SELECT current_database(), current_user", "reading database name");
  const std::string database = who.get(0, 0), user = who.get(0, 1);
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
  // A publication may only name tables its owner owns, and creating one
  // needs CREATE on the database: a least-privilege user cannot do either,
  // so the refusal says who can and the exact statement.
  if (exists.rows() == 0) {
    const std::string sql =
        "CREATE PUBLICATION " + conn.quote_ident(publication) + " FOR TABLE " + list;
    ExecOrAdvise(conn, sql, "creating publication " + publication,
                 "Creating a publication needs the CREATE privilege on database " + database +
                     " and ownership of every table it names, which " + user +
                     " lacks. Have the tables' owner (or a superuser) run once: " + sql +
                     "; cdcd then uses it as it is");
    out.created = true;
    return out;
  }
  PgResult current = conn.exec_params(
      "SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname = $1",
      {publication}, "reading tables of publication " + publication);
  std::set<std::string> have;
  for (int i = 0; i < current.rows(); ++i) have.insert(current.get(i, 0));
  if (have != wanted) {
    const std::string sql =
        "ALTER PUBLICATION " + conn.quote_ident(publication) + " SET TABLE " + list;
    ExecOrAdvise(conn, sql, "updating the tables of publication " + publication,
                 "The publication names " + Join(have) + " but the pipeline captures " +
                     Join(wanted) + ", and only its owner may change it (with tables it owns). " +
                     "Have the owner (or a superuser) run: " + sql + ";");
    out.altered = true;
  }
  return out;
}

}  // namespace cdc::pg
