#include "sources/postgres/pg_connection.h"

namespace cdc::pg {

const char* const kSessionOptions =
    "-c datestyle=ISO,YMD -c timezone=UTC -c intervalstyle=iso_8601 -c extra_float_digits=3 "
    "-c bytea_output=hex -c lc_monetary=C";

namespace {

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Failures that retrying will not fix: wrong credentials, unknown database or
// role, bad conninfo. Everything else (refused, reset, timeout, server
// starting or shutting down) is worth a retry.
bool PermanentConnectFailure(const std::string& message) {
  for (const char* needle :
       {"password authentication failed", "no password supplied", "does not exist",
        "invalid connection option", "missing \"=\"", "invalid URI", "no pg_hba.conf entry",
        "certificate", "is not permitted to log in", "must be superuser or replication role"}) {
    if (message.find(needle) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

PgConnection::PgConnection(const std::string& dsn, Mode mode, std::string context)
    : context_(std::move(context)) {
  // expand_dbname = 1: the first "dbname" is the user's conninfo/URI; the
  // keywords after it override what it says.
  std::vector<const char*> keys = {"dbname", "application_name", "options"};
  std::vector<const char*> values = {dsn.c_str(), "cdcd", kSessionOptions};
  if (mode == Mode::kReplication) {
    keys.push_back("replication");
    values.push_back("database");
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  conn_ = PQconnectdbParams(keys.data(), values.data(), 1);
  if (conn_ == nullptr) throw TransientError(context_ + ": out of memory creating a connection");
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = Trim(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    std::string full = context_ + ": cannot connect to PostgreSQL: " + message;
    if (PermanentConnectFailure(message)) throw Error(full);
    throw TransientError(full);
  }
}

PgConnection::~PgConnection() {
  close();
}

void PgConnection::close() {
  if (conn_) PQfinish(conn_);
  conn_ = nullptr;
}

void PgConnection::fail(PGresult* result, const std::string& what) const {
  std::string message = Trim(result ? PQresultErrorMessage(result) : "");
  if (message.empty()) message = Trim(PQerrorMessage(conn_));
  std::string full = context_ + ": " + what + ": " + message;
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  // Class 08 (connection exception), 57P01..57P03 (admin shutdown, crash
  // shutdown, cannot connect now) and a dead socket are transient.
  std::string sqlstate = state ? state : "";
  if (PQstatus(conn_) == CONNECTION_BAD || sqlstate.rfind("08", 0) == 0 ||
      sqlstate.rfind("57P", 0) == 0) {
    throw TransientError(full);
  }
  throw PgServerError(full, sqlstate);
}

PgResult PgConnection::check(PGresult* r, const std::string& what) {
  ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_COPY_BOTH) return PgResult(r);
  PgResult owner(r);  // freed after the throw's message is built
  fail(r, what);
}

PgResult PgConnection::exec(const std::string& sql, const std::string& what) {
  return check(PQexec(conn_, sql.c_str()), what);
}

PgResult PgConnection::exec_params(const std::string& sql, const std::vector<std::string>& params,
                                   const std::string& what) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const std::string& p : params) values.push_back(p.c_str());
  return check(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                            values.data(), nullptr, nullptr, 0),
               what);
}

std::string PgConnection::quote_ident(const std::string& name) const {
  char* q = PQescapeIdentifier(conn_, name.data(), name.size());
  if (!q) throw Error(context_ + ": cannot quote identifier '" + name + "'");
  std::string out(q);
  PQfreemem(q);
  return out;
}

std::string PgConnection::quote_literal(const std::string& value) const {
  char* q = PQescapeLiteral(conn_, value.data(), value.size());
  if (!q) throw Error(context_ + ": cannot quote literal");
  std::string out(q);
  PQfreemem(q);
  return out;
}

}  // namespace cdc::pg
