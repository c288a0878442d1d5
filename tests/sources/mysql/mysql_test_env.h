// Test helpers for the MySQL source against the MariaDB of the test services
// (header-only: test directories glob *.cc): connection options from the
// service's env file, a throwaway database per test, root SQL through the
// socket, and a private server for settings the shared one must not change.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

#include "sources/mysql/binlog_position.h"
#include "sources/mysql/mysql_connection.h"
#include "sources/mysql/mysql_options.h"
#include "sources/mysql/mysql_snapshot.h"
#include "tests/support/shell.h"
#include "tests/support/test_support.h"

// Declares `MySqlConnectOptions var` for the shared MariaDB of the test
// services, or ends the test (skipped without the service, failed in CI).
#define CDCD_MYSQL_SERVER_OR_SKIP(var)                                     \
  CDCD_SERVICE_ENV_OR_SKIP(var##_host, "mariadb", "CDCD_TEST_MYSQL_HOST"); \
  ::cdc::mysql::MySqlConnectOptions var = *::cdc::mysql::testing::SharedServer()

namespace cdc::mysql::testing {

using ::cdc::testing::Shell;
using ::cdc::testing::ShellQuote;

// The shared server's address and the cdc user, or nullopt without it.
inline std::optional<MySqlConnectOptions> SharedServer() {
  auto host = ::cdc::testing::ServiceEnv("mariadb", "CDCD_TEST_MYSQL_HOST");
  auto port = ::cdc::testing::ServiceEnv("mariadb", "CDCD_TEST_MYSQL_PORT");
  if (!host || !port) return std::nullopt;
  MySqlConnectOptions o;
  o.host = *host;
  o.port = static_cast<uint16_t>(std::stoi(*port));
  o.user = ::cdc::testing::ServiceEnv("mariadb", "CDCD_TEST_MYSQL_USER").value_or("cdc");
  o.password = ::cdc::testing::ServiceEnv("mariadb", "CDCD_TEST_MYSQL_PASSWORD").value_or("");
  o.ssl_mode = "disabled";
  return o;
}

inline std::string SharedSocket() {
  return ::cdc::testing::ServiceEnv("mariadb", "CDCD_TEST_MYSQL_SOCKET").value_or("");
}

// Runs `sql` as root through `socket` with the mariadb client; throws with
// its output on failure.
inline std::string RootSql(const std::string& socket, const std::string& sql) {
  std::string out;
  int rc = Shell("mariadb --no-defaults --socket=" + ShellQuote(socket) + " -uroot -N -B -e " +
                     ShellQuote(sql),
                 out);
  if (rc != 0) throw std::runtime_error("root SQL failed: " + sql + ": " + out);
  return out;
}

// CREATE DATABASE cdcd_test_<tag>_<pid>_<n> (the cdc user may create those);
// dropped by the destructor.
class TestSchema {
 public:
  TestSchema(const MySqlConnectOptions& server, const std::string& tag) : server_(server) {
    static std::atomic<int> counter{0};
    name_ = "cdcd_test_" + tag + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
    sql("DROP DATABASE IF EXISTS " + name_);
    sql("CREATE DATABASE " + name_);
  }
  ~TestSchema() {
    try {
      sql("DROP DATABASE IF EXISTS " + name_);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "dropping database " << name_ << ": " << e.what();
    }
  }
  const std::string& name() const { return name_; }
  // Runs statements (one per call) in this database.
  MySqlResult sql(const std::string& statement) const {
    MySqlConnection c(server_, "test");
    if (statement.rfind("CREATE DATABASE", 0) != 0 && statement.rfind("DROP DATABASE", 0) != 0) {
      c.query("USE " + name_, "test USE");
    }
    return c.query(statement, "test SQL");
  }
  // The server's current binlog end: an offset that resumes right here.
  Offset here() const {
    MySqlConnection c(server_, "test");
    const BinlogPoint p = ReadBinlogPoint(c);
    return StreamOffset({p.file, p.position}, 0, p.gtid);
  }

 private:
  MySqlConnectOptions server_;
  std::string name_;
};

// Source options capturing every table of `schema` from the shared server.
inline MySqlSourceOptions SourceOptions(const MySqlConnectOptions& server,
                                        const std::string& schema,
                                        const std::string& pipeline = "t") {
  MySqlSourceOptions o;
  o.pipeline = pipeline;
  o.connect = server;
  o.server_id = 100000 + static_cast<uint32_t>(getpid() % 100000) * 7 +
                static_cast<uint32_t>(std::hash<std::string>{}(schema) % 7);
  o.tables = {schema + ".*"};
  o.signal_table = schema + ".cdcd_signal";
  o.snapshot.mode = SnapshotMode::kNever;
  o.heartbeat_interval = std::chrono::milliseconds(1000);
  return o;
}

// A MariaDB of one test's own (`svc start mariadb` in a scratch state dir,
// `extra_args` appended to mariadbd's options); stopped and removed by the
// destructor, also when the test fails.
class PrivateMariaDb {
 public:
  explicit PrivateMariaDb(const std::string& extra_args) {
    state_ =
        std::filesystem::temp_directory_path() /
        ("cdcd-private-mariadb-" + std::to_string(getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::create_directories(state_);
    std::string out;
    int rc = Shell("CDCD_TEST_MYSQL_EXTRA_ARGS=" + ShellQuote(extra_args) + " " +
                       ShellQuote(::cdc::testing::SourcePath("tests/services/svc").string()) +
                       " start mariadb " + ShellQuote(state_.string()),
                   out);
    if (rc != 0) throw std::runtime_error("starting a private MariaDB failed: " + out);
    options_.host = "127.0.0.1";
    options_.port = static_cast<uint16_t>(std::stoi(env("CDCD_TEST_MYSQL_PORT")));
    options_.user = "cdc";
    options_.password = env("CDCD_TEST_MYSQL_PASSWORD");
    options_.ssl_mode = "disabled";
    socket_ = env("CDCD_TEST_MYSQL_SOCKET");
  }
  ~PrivateMariaDb() {
    std::string out;
    Shell(ShellQuote(::cdc::testing::SourcePath("tests/services/svc").string()) + " stop mariadb " +
              ShellQuote(state_.string()),
          out);
    std::error_code ec;
    std::filesystem::remove_all(state_, ec);
  }
  const MySqlConnectOptions& options() const { return options_; }
  const std::string& socket() const { return socket_; }

 private:
  std::string env(const std::string& key) const {
    std::string out;
    Shell(". " + ShellQuote((state_ / "mariadb.env").string()) + " && printf %s \"$" + key + "\"",
          out);
    return out;
  }
  static inline std::atomic<int> counter_{0};
  std::filesystem::path state_;
  MySqlConnectOptions options_;
  std::string socket_;
};

}  // namespace cdc::mysql::testing
