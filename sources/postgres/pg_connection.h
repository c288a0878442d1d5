// PgConnection: one libpq connection (RAII) with errors that say where.
//
// cdcd opens two kinds: normal connections for catalog queries, snapshots and
// heartbeats, and a `replication=database` connection for the walsender
// protocol (CREATE_REPLICATION_SLOT, START_REPLICATION and its CopyBoth
// stream). The user's DSN is a libpq conninfo string or URI and passes through
// untouched (sslmode, sslrootcert, passwords...); cdcd adds only
// `replication`, `application_name` and the session `options` below, which
// fix the text forms that PgTypeParser reads. A DSN's own `options` are
// replaced.
//
// Errors: a failure to connect, or a connection lost mid-query, is a
// TransientError (the pipeline backs off and resumes); a server error on a
// healthy connection is PgServerError (an Error carrying the SQLSTATE, so that
// callers can turn e.g. "object in use" into a precise message). Every message
// names what cdcd was doing (`context`) and the server's text.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cdc/error.h"

namespace cdc::pg {

// The session settings every cdcd connection runs with (libpq `options`).
extern const char* const kSessionOptions;

class PgServerError : public Error {
 public:
  PgServerError(const std::string& message, std::string sqlstate)
      : Error(message), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const { return sqlstate_; }

 private:
  std::string sqlstate_;
};

// A query result: rows of text values (NULL -> nullopt).
class PgResult {
 public:
  explicit PgResult(PGresult* r) : r_(r, &PQclear) {}
  int rows() const { return PQntuples(r_.get()); }
  int columns() const { return PQnfields(r_.get()); }
  bool is_null(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  std::string get(int row, int col) const { return PQgetvalue(r_.get(), row, col); }
  std::optional<std::string> get_opt(int row, int col) const {
    if (is_null(row, col)) return std::nullopt;
    return get(row, col);
  }
  PGresult* raw() const { return r_.get(); }

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> r_;
};

class PgConnection {
 public:
  enum class Mode { kQuery, kReplication };

  // Connects (blocking). `context` names the connection in errors, e.g.
  // "pipeline shop: catalog connection".
  PgConnection(const std::string& dsn, Mode mode, std::string context);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs `sql` (simple query protocol); throws on failure as described above.
  // `what` says what the query is for ("creating slot cdcd_shop").
  PgResult exec(const std::string& sql, const std::string& what);
  // Runs a parameterised query (text parameters).
  PgResult exec_params(const std::string& sql, const std::vector<std::string>& params,
                       const std::string& what);

  std::string quote_ident(const std::string& name) const;
  std::string quote_literal(const std::string& value) const;

  PGconn* raw() const { return conn_; }
  // Closes the connection now (the server sees the session end).
  void close();
  const std::string& context() const { return context_; }
  // Throws the error for a failed result or the connection's last error.
  [[noreturn]] void fail(PGresult* result, const std::string& what) const;

 private:
  PgResult check(PGresult* r, const std::string& what);

  PGconn* conn_ = nullptr;
  std::string context_;
};

}  // namespace cdc::pg
