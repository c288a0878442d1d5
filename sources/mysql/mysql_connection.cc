#include "sources/mysql/mysql_connection.h"

#include <errmsg.h>

#include <memory>

namespace cdc::mysql {
namespace {

// mysql_library_init is not thread-safe; mysql_init calls it on first use,
// so the first call is made under a static initialiser.
void InitLibraryOnce() {
  static const bool done = [] { return mysql_library_init(0, nullptr, nullptr) == 0; }();
  if (!done) throw Error("MariaDB Connector/C: mysql_library_init failed");
}

void SetSsl(MYSQL* m, const MySqlConnectOptions& o, const std::string& context) {
  const std::string& mode = o.ssl_mode;
  if (!o.ssl_ca.empty()) mysql_optionsv(m, MYSQL_OPT_SSL_CA, o.ssl_ca.c_str());
  my_bool yes = 1, no = 0;
  if (mode == "disabled") {
    // Connector/C only uses TLS when asked: nothing to set.
  } else if (mode == "preferred") {
    // Connector/C 3.3 has no opportunistic TLS; like `preferred` in the mysql
    // client, fall back to plain text when the server has no TLS.
  } else if (mode == "required") {
    mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &yes);
    mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &no);
  } else if (mode == "verify_ca" || mode == "verify_identity") {
    // Connector/C verifies the chain and the host name together.
    mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &yes);
    mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &yes);
  } else {
    throw Error(context + ": unknown ssl_mode '" + mode + "'");
  }
}

}  // namespace

bool IsConnectionLost(unsigned code) {
  switch (code) {
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_SERVER_LOST_EXTENDED:
    case CR_ERR_NET_READ:
    case CR_ERR_NET_WRITE:
    // A name that does not resolve yet (a sidecar starting before its
    // database's DNS record exists) resolves later; a typo shows in
    // /pipelines as the retried error.
    case CR_UNKNOWN_HOST:
      return true;
    default:
      return false;
  }
}

MySqlConnection::MySqlConnection(const MySqlConnectOptions& o, std::string context)
    : context_(std::move(context)) {
  InitLibraryOnce();
  mysql_ = mysql_init(nullptr);
  if (!mysql_) throw Error(context_ + ": out of memory creating a MySQL connection");
  unsigned connect_timeout = static_cast<unsigned>(o.connect_timeout.count());
  mysql_optionsv(mysql_, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
  if (o.read_timeout.count() > 0) {
    unsigned read_timeout = static_cast<unsigned>(o.read_timeout.count());
    mysql_optionsv(mysql_, MYSQL_OPT_READ_TIMEOUT, &read_timeout);
  }
  // Values are decoded as UTF-8 text; the binlog does not depend on this.
  mysql_optionsv(mysql_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  try {
    SetSsl(mysql_, o, context_);
  } catch (...) {
    mysql_close(mysql_);
    throw;
  }
  if (!mysql_real_connect(mysql_, o.host.c_str(), o.user.c_str(), o.password.c_str(), nullptr,
                          o.port, nullptr, CLIENT_MULTI_RESULTS)) {
    std::unique_ptr<MYSQL, decltype(&mysql_close)> closer(mysql_, mysql_close);
    const unsigned code = mysql_errno(mysql_);
    std::string msg = context_ + ": connecting to " + o.host + ":" + std::to_string(o.port) +
                      " as " + o.user + ": " + mysql_error(mysql_) + " (" + std::to_string(code) +
                      ")";
    mysql_ = nullptr;
    if (IsConnectionLost(code)) throw TransientError(msg);
    throw MySqlServerError(msg, code);
  }
  server_version_ = mysql_get_server_info(mysql_);
  is_mariadb_ = server_version_.find("MariaDB") != std::string::npos;
}

MySqlConnection::~MySqlConnection() {
  if (mysql_) mysql_close(mysql_);
}

void MySqlConnection::fail(const std::string& what) {
  const unsigned code = mysql_errno(mysql_);
  std::string msg =
      context_ + ": " + what + ": " + mysql_error(mysql_) + " (" + std::to_string(code) + ")";
  if (IsConnectionLost(code)) throw TransientError(msg);
  throw MySqlServerError(msg, code);
}

MySqlResult MySqlConnection::query(const std::string& sql, const std::string& what) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) fail(what);
  MySqlResult out;
  MYSQL_RES* res = mysql_store_result(mysql_);
  if (!res) {
    if (mysql_field_count(mysql_) != 0) fail(what);
    return out;
  }
  std::unique_ptr<MYSQL_RES, decltype(&mysql_free_result)> guard(res, mysql_free_result);
  const unsigned n = mysql_num_fields(res);
  MYSQL_FIELD* fields = mysql_fetch_fields(res);
  for (unsigned i = 0; i < n; ++i) out.columns.emplace_back(fields[i].name);
  while (MYSQL_ROW row = mysql_fetch_row(res)) {
    unsigned long* len = mysql_fetch_lengths(res);
    auto& r = out.rows.emplace_back();
    for (unsigned i = 0; i < n; ++i) {
      if (row[i]) {
        r.emplace_back(std::string(row[i], len[i]));
      } else {
        r.emplace_back(std::nullopt);
      }
    }
  }
  // Drain further results of a multi-result statement (CALL): none expected.
  while (mysql_next_result(mysql_) == 0) {
    if (MYSQL_RES* more = mysql_store_result(mysql_)) mysql_free_result(more);
  }
  return out;
}

uint64_t MySqlConnection::query_each(
    const std::string& sql, const std::string& what,
    const std::function<void(const std::vector<std::string>&, const MySqlRowView&)>& row_fn) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) fail(what);
  MYSQL_RES* res = mysql_use_result(mysql_);
  if (!res) {
    if (mysql_field_count(mysql_) != 0) fail(what);
    return 0;
  }
  std::unique_ptr<MYSQL_RES, decltype(&mysql_free_result)> guard(res, mysql_free_result);
  const unsigned n = mysql_num_fields(res);
  MYSQL_FIELD* fields = mysql_fetch_fields(res);
  std::vector<std::string> columns;
  for (unsigned i = 0; i < n; ++i) columns.emplace_back(fields[i].name);
  std::vector<std::optional<std::string_view>> values(n);
  uint64_t count = 0;
  while (MYSQL_ROW row = mysql_fetch_row(res)) {
    unsigned long* len = mysql_fetch_lengths(res);
    for (unsigned i = 0; i < n; ++i) {
      values[i] =
          row[i] ? std::optional<std::string_view>(std::string_view(row[i], len[i])) : std::nullopt;
    }
    row_fn(columns, MySqlRowView{values});
    ++count;
  }
  // mysql_fetch_row returns NULL both at the end and on a network error.
  if (mysql_errno(mysql_) != 0) fail(what);
  return count;
}

std::string MySqlConnection::quote(std::string_view text) {
  std::string buf(text.size() * 2 + 1, '\0');
  unsigned long n = mysql_real_escape_string(mysql_, buf.data(), text.data(), text.size());
  buf.resize(n);
  return "'" + buf + "'";
}

std::string MySqlConnection::quote_ident(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  return out + "`";
}

}  // namespace cdc::mysql
