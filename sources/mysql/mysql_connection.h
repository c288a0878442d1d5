// MySqlConnection: one MariaDB Connector/C session used for queries — the
// start-up checks, information_schema lookups, snapshot reads — and as the
// transport of the binlog client.
//
// Errors (one style: exceptions with context). A lost, refused or timed-out
// connection (client errors 2002, 2003, 2006, 2013, 2055, 5013, 5014) is a
// cdc::TransientError, so the pipeline backs off and resumes; anything the
// server rejects is a MySqlServerError (a cdc::Error carrying the server's
// error number). Both messages start with the connection's context and say
// what was being done: "mysql source (pipeline p): reading binlog_format:
// Access denied ... (1227)".
#pragma once

#include <mysql.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cdc/error.h"

namespace cdc::mysql {

// How to reach the server. `ssl_mode`: disabled | preferred | required |
// verify_ca | verify_identity (as the mysql client names them).
struct MySqlConnectOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 3306;
  std::string user;
  std::string password;
  std::string ssl_mode = "preferred";
  std::string ssl_ca;
  std::chrono::seconds connect_timeout{10};
  // 0: none. The binlog client sets its own (heartbeat period x 3).
  std::chrono::seconds read_timeout{0};
};

class MySqlServerError : public Error {
 public:
  MySqlServerError(const std::string& what, unsigned code) : Error(what), code_(code) {}
  unsigned code() const { return code_; }

 private:
  unsigned code_;
};

// A fully read result: column names and rows of nullable text values.
class MySqlResult {
 public:
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;

  size_t size() const { return rows.size(); }
  // Text of row r, column c; "" for NULL.
  std::string get(size_t r, size_t c) const { return rows.at(r).at(c).value_or(""); }
};

// One row of a streamed result; views are valid during the callback only.
struct MySqlRowView {
  const std::vector<std::optional<std::string_view>>& values;
};

class MySqlConnection {
 public:
  MySqlConnection(const MySqlConnectOptions& options, std::string context);
  ~MySqlConnection();
  MySqlConnection(const MySqlConnection&) = delete;
  MySqlConnection& operator=(const MySqlConnection&) = delete;

  // Runs a statement and reads its whole result (empty for statements
  // without one). `what` names the step for error messages.
  MySqlResult query(const std::string& sql, const std::string& what);
  // Runs a statement and hands every row to `row` as it arrives
  // (mysql_use_result), so a large result is never held whole. Returns the
  // number of rows.
  uint64_t query_each(const std::string& sql, const std::string& what,
                      const std::function<void(const std::vector<std::string>& columns,
                                               const MySqlRowView& row)>& row);

  // 'text' as a quoted SQL string literal (connection charset aware).
  std::string quote(std::string_view text);
  // `name` as a quoted identifier.
  static std::string quote_ident(std::string_view name);

  // Server facts, read once after connecting.
  const std::string& server_version() const { return server_version_; }
  bool is_mariadb() const { return is_mariadb_; }
  const std::string& context() const { return context_; }

  MYSQL* handle() { return mysql_; }
  // Throws the error now pending on handle() (Transient or Server) with
  // `what` as the step. For users of the raw handle (binlog client).
  [[noreturn]] void fail(const std::string& what);

 private:
  MYSQL* mysql_ = nullptr;
  std::string context_;
  std::string server_version_;
  bool is_mariadb_ = false;
};

// True for the client error numbers that a retry may heal: the connection is
// gone, could not be made, or its host name does not resolve (yet).
bool IsConnectionLost(unsigned error_code);

}  // namespace cdc::mysql
