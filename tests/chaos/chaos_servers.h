// The database side of the chaos suite (chaos_test.cc): a server of the
// test's own, which the faults restart, and SQL sessions on it.
//
// The servers come from tests/services/svc in scratch state dirs (the
// Private* helpers of the source tests), so restarts disturb no other test.
// svc has no restart that keeps the data: PostgreSQL restarts through pg_ctl
// (fast or immediate shutdown); MariaDB is signalled (SIGTERM, or SIGKILL: a
// crash) and its command line run again, as own_kafka_broker.h does.
#pragma once

#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/sources/mysql/mysql_test_env.h"
#include "tests/sources/postgres/pg_test_env.h"
#include "tests/support/shell.h"
#include "tests/support/test_support.h"

namespace cdc::testing {

// The pipeline's name: the topic prefix, and the PostgreSQL slot and publication.
constexpr char kChaosPipeline[] = "chaos";
constexpr int kTables = 3;
// t3 has no primary key (an index on id only, for the writer's lookups): its
// events have null keys, and a change of its id is an update.
constexpr int kKeylessTable = 2;

inline std::string TableName(int t) {
  return "t" + std::to_string(t + 1);
}

// One SQL session; every call throws (cdc::Error, TransientError) on failure.
class SqlSession {
 public:
  virtual ~SqlSession() = default;
  // Runs a statement; returns the rows it changed.
  virtual uint64_t exec(const std::string& sql) = 0;
  // Runs a query; its rows as text (NULL as "").
  virtual std::vector<std::vector<std::string>> query(const std::string& sql) = 0;
};

// The database side of a pair, as the workload, the faults and the test see it.
class ChaosDb {
 public:
  virtual ~ChaosDb() = default;
  virtual std::string name() const = 0;
  virtual std::unique_ptr<SqlSession> connect() const = 0;
  // A SELECT of rows (id, ver, note) for ids lo..hi, with ver = id + ver_offset.
  virtual std::string bulk_rows(int64_t lo, int64_t hi, int64_t ver_offset) const = 0;
  // PostgreSQL's TRUNCATE is transactional; MariaDB's commits on its own.
  virtual bool truncate_in_transaction() const = 0;
  // The middle part of the tables' topic names: the schema or the database.
  virtual std::string table_namespace() const = 0;
  // The pipeline's `source:` block (unindented YAML lines).
  virtual std::string source_yaml() const = 0;
  // True once every change committed from now on is captured.
  // `sink_committed` says whether cdcd committed anything to its sink yet.
  virtual bool capturing(const std::function<bool()>& sink_committed) const = 0;
  // Stops the server, cleanly or as a crash, and starts it again; returns
  // once it answers. Throws when it does not come back.
  virtual void restart(bool crash) = 0;
};

// The captured tables, the uncaptured transaction log, and the marker table
// whose one row, committed last, shows that the sink has caught up.
inline std::vector<std::string> ChaosDdl() {
  std::vector<std::string> ddl;
  for (int t = 0; t < kTables; ++t) {
    const bool keyless = t == kKeylessTable;
    ddl.push_back("CREATE TABLE " + TableName(t) + " (id BIGINT " +
                  (keyless ? "NOT NULL" : "PRIMARY KEY") +
                  ", ver BIGINT NOT NULL, note VARCHAR(40) NOT NULL)");
    if (keyless) ddl.push_back("CREATE INDEX " + TableName(t) + "_id ON " + TableName(t) + " (id)");
  }
  ddl.push_back("CREATE TABLE chaos_txlog (id BIGINT PRIMARY KEY)");
  ddl.push_back("CREATE TABLE chaos_marker (id BIGINT PRIMARY KEY)");
  return ddl;
}

// The "tables:" list of a source: t1..t3 and chaos_marker in `ns`.
inline std::string ChaosTableList(const std::string& ns) {
  std::string list = "[";
  for (int t = 0; t < kTables; ++t) list += "\"" + ns + "." + TableName(t) + "\", ";
  return list + "\"" + ns + ".chaos_marker\"]";
}

class PgSession : public SqlSession {
 public:
  explicit PgSession(const std::string& dsn)
      : c_(dsn, pg::PgConnection::Mode::kQuery, "chaos writer") {}
  uint64_t exec(const std::string& sql) override {
    pg::PgResult r = c_.exec(sql, "chaos statement");
    const std::string n = PQcmdTuples(r.raw());
    return n.empty() ? 0 : std::stoull(n);
  }
  std::vector<std::vector<std::string>> query(const std::string& sql) override {
    pg::PgResult r = c_.exec(sql, "chaos query");
    std::vector<std::vector<std::string>> rows(r.rows());
    for (int i = 0; i < r.rows(); ++i) {
      for (int j = 0; j < r.columns(); ++j) rows[i].push_back(r.get(i, j));
    }
    return rows;
  }

 private:
  pg::PgConnection c_;
};

class MariaDbSession : public SqlSession {
 public:
  MariaDbSession(const mysql::MySqlConnectOptions& server, const std::string& database)
      : c_(server, "chaos writer") {
    c_.query("USE " + database, "chaos USE");
  }
  uint64_t exec(const std::string& sql) override {
    c_.query(sql, "chaos statement");
    return mysql_affected_rows(c_.handle());
  }
  std::vector<std::vector<std::string>> query(const std::string& sql) override {
    std::vector<std::vector<std::string>> rows;
    for (const auto& row : c_.query(sql, "chaos query").rows) {
      auto& out = rows.emplace_back();
      for (const auto& v : row) out.push_back(v.value_or(""));
    }
    return rows;
  }

 private:
  mysql::MySqlConnection c_;
};

// PostgreSQL 15 of the test's own, database "chaos".
class ChaosPostgres : public ChaosDb {
 public:
  ChaosPostgres() : server_("") {
    pg::testing::Sql(server_.dsn(), "CREATE DATABASE chaos");
    dsn_ = server_.dsn() + " dbname=chaos";
    const std::string data = pg::testing::Sql(dsn_, "SHOW data_directory").get(0, 0);
    dir_ = std::filesystem::path(data).parent_path().string();
    PgSession s(dsn_);
    for (const std::string& ddl : ChaosDdl()) s.exec(ddl);
    // Deletes carry the whole old row: a delete is named by the version it removes.
    for (int t = 0; t < kTables; ++t) {
      s.exec("ALTER TABLE " + TableName(t) + " REPLICA IDENTITY FULL");
    }
  }

  std::string name() const override { return "postgres"; }
  std::unique_ptr<SqlSession> connect() const override {
    return std::make_unique<PgSession>(dsn_ + " connect_timeout=5");
  }
  std::string bulk_rows(int64_t lo, int64_t hi, int64_t ver_offset) const override {
    return "SELECT i, i + (" + std::to_string(ver_offset) + "), 'bulk' FROM generate_series(" +
           std::to_string(lo) + "::bigint, " + std::to_string(hi) + "::bigint) i";
  }
  bool truncate_in_transaction() const override { return true; }
  std::string table_namespace() const override { return "public"; }
  std::string source_yaml() const override {
    return "type: postgres\n"
           "dsn: \"" +
           dsn_ + "\"\ntables: " + ChaosTableList("public") + "\nslot: " + kChaosPipeline +
           "\npublication: " + kChaosPipeline +
           "\nsnapshot: never\n"
           "heartbeat_interval: 1s\n"
           "status_interval: 300ms\n";
  }
  // The slot is created at cdcd's first start: it keeps every later change.
  bool capturing(const std::function<bool()>&) const override {
    return pg::testing::SlotStreaming(dsn_, kChaosPipeline);
  }
  void restart(bool crash) override {
    if (!crash) {
      server_.restart();  // pg_ctl restart -m fast
      return;
    }
    // Immediate shutdown: no checkpoint, crash recovery at the start; the
    // slot may come back at an older position than cdcd confirmed.
    std::string out;
    if (PgCtl("-w -t 60 -l " + ShellQuote(dir_ + "/server.log") + " restart -m immediate", out) !=
        0) {
      throw std::runtime_error("pg_ctl restart -m immediate failed:\n" + out);
    }
  }

 private:
  // pg_ctl on the data dir, as the user the server runs as (as PrivatePostgres does).
  int PgCtl(const std::string& args, std::string& out) const {
    std::string cmd =
        "/usr/lib/postgresql/15/bin/pg_ctl -D " + ShellQuote(dir_ + "/data") + " " + args;
    if (geteuid() == 0) {
      const char* runas = std::getenv("CDCD_TEST_RUNAS");
      const std::string user = runas && *runas ? runas : "cdctest";
      cmd = "setpriv --reuid=" + ShellQuote(user) + " --regid=" + ShellQuote(user) +
            " --init-groups --reset-env -- " + cmd;
    }
    return Shell("cd " + ShellQuote(dir_) + " && " + cmd + " </dev/null", out);
  }

  pg::testing::PrivatePostgres server_;
  std::string dsn_;
  std::string dir_;  // svc's directory: data/, server.log
};

// Whether `pid` runs and is no zombie (its parent may reap it late).
inline bool ProcessAlive(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  const std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos || paren + 2 >= stat.size()) return false;
  return stat[paren + 2] != 'Z' && stat[paren + 2] != 'X';
}

inline std::vector<std::string> ProcessCommandLine(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::vector<std::string> argv;
  for (std::string arg; std::getline(in, arg, '\0');) argv.push_back(arg);
  return argv;
}

// MariaDB of the test's own, database cdcd_test (which svc creates).
class ChaosMariaDb : public ChaosDb {
 public:
  static constexpr char kDatabase[] = "cdcd_test";

  ChaosMariaDb() : server_("") {
    dir_ = std::filesystem::path(server_.socket()).parent_path().string();
    argv_ = ProcessCommandLine(Pid());
    if (argv_.empty()) throw std::runtime_error("no command line for mariadbd in " + dir_);
    MariaDbSession s(server_.options(), kDatabase);
    for (const std::string& ddl : ChaosDdl()) s.exec(ddl);
  }
  // svc stop knows only the first mariadbd's PID: one started by restart()
  // must be stopped here, before svc removes its data dir.
  ~ChaosMariaDb() override {
    try {
      Stop(SIGTERM);
    } catch (const std::exception&) {
      // svc stop still removes the data dir.
    }
  }

  std::string name() const override { return "mariadb"; }
  std::unique_ptr<SqlSession> connect() const override {
    mysql::MySqlConnectOptions o = server_.options();
    o.connect_timeout = std::chrono::seconds(5);
    return std::make_unique<MariaDbSession>(o, kDatabase);
  }
  std::string bulk_rows(int64_t lo, int64_t hi, int64_t ver_offset) const override {
    // The Sequence engine's seq_<lo>_to_<hi>; seq is unsigned, the offset may be negative.
    return "SELECT seq, CAST(seq AS SIGNED) + (" + std::to_string(ver_offset) +
           "), 'bulk' FROM seq_" + std::to_string(lo) + "_to_" + std::to_string(hi);
  }
  bool truncate_in_transaction() const override { return false; }
  std::string table_namespace() const override { return kDatabase; }
  std::string source_yaml() const override {
    const mysql::MySqlConnectOptions& o = server_.options();
    return "type: mysql\nhost: " + o.host + "\nport: " + std::to_string(o.port) +
           "\nuser: " + o.user + "\npassword: \"" + o.password +
           "\"\nssl_mode: disabled\n"
           "server_id: 4242\n"
           "tables: " +
           ChaosTableList(kDatabase) +
           "\nsnapshot: never\n"
           "heartbeat_interval: 1s\n";
  }
  // Without a committed offset a restart would begin at the binlog's end:
  // changes count from cdcd's first commit (a heartbeat at least).
  bool capturing(const std::function<bool()>& sink_committed) const override {
    return sink_committed();
  }
  void restart(bool crash) override {
    Stop(crash ? SIGKILL : SIGTERM);
    Launch();
    WaitAnswering();
  }

 private:
  // The running mariadbd, from the PID file svc's launch (and Launch()) writes.
  int Pid() const {
    std::ifstream in(dir_ + "/pid");
    int pid = -1;
    in >> pid;
    return pid;
  }

  // Signals mariadbd and waits until it is gone (SIGKILL after a minute).
  void Stop(int sig) const {
    const int pid = Pid();
    if (pid <= 0 || !ProcessAlive(pid)) return;
    std::string cmdline;
    for (const std::string& a : ProcessCommandLine(pid)) cmdline += a + " ";
    if (cmdline.find(dir_) == std::string::npos) return;  // the PID was reused
    ::kill(pid, sig);
    for (int i = 0; ProcessAlive(pid); ++i) {
      if (i == 600) ::kill(pid, SIGKILL);
      if (i == 1200) throw std::runtime_error("mariadbd " + std::to_string(pid) + " does not die");
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  // Runs the first mariadbd's command line again, detached as svc does:
  // its own session, output appended to mariadbd.out, its PID in DIR/pid.
  void Launch() const {
    std::string cmd = "cd " + ShellQuote(dir_) +
                      " && setsid -f sh -c 'echo $$ >\"$0.tmp\" && mv \"$0.tmp\" \"$0\" && "
                      "exec \"$@\"' " +
                      ShellQuote(dir_ + "/pid");
    for (const std::string& a : argv_) cmd += " " + ShellQuote(a);
    cmd += " </dev/null >>" + ShellQuote(dir_ + "/mariadbd.out") + " 2>&1";
    std::string out;
    if (Shell(cmd, out) != 0) throw std::runtime_error("starting mariadbd again failed: " + out);
  }

  // Crash recovery may take a while on a busy machine.
  void WaitAnswering() const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    for (;;) {
      try {
        mysql::MySqlConnection c(server_.options(), "chaos probe");
        c.query("SELECT 1", "chaos probe");
        return;
      } catch (const std::exception& e) {
        if (std::chrono::steady_clock::now() > deadline) {
          throw std::runtime_error("MariaDB did not come back within 2 minutes (see " + dir_ +
                                   "/error.log): " + e.what());
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }

  mysql::testing::PrivateMariaDb server_;
  std::string dir_;                // svc's directory: data/, pid, mariadbd.out
  std::vector<std::string> argv_;  // the first mariadbd's command line
};

// A started `Server` (ChaosPostgres, ChaosMariaDb); nullptr, with svc's
// output in `error`, when it cannot be started.
template <typename Server>
std::unique_ptr<ChaosDb> StartChaosDb(std::string& error) {
  try {
    return std::make_unique<Server>();
  } catch (const std::exception& e) {
    error = e.what();
    return nullptr;
  }
}

}  // namespace cdc::testing
