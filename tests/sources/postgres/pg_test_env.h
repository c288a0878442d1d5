// Test helpers for the postgres source (header-only: the test directories
// glob only *_test.cc): a throwaway database per test, a private server per
// test for settings and faults the shared one must not see, SQL helpers, and
// an Emitter that a test can watch while the source runs on another thread.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cdc/source.h"
#include "sources/postgres/pg_connection.h"
#include "sources/postgres/postgres_options.h"
#include "tests/support/shell.h"
#include "tests/support/source_runner.h"
#include "tests/support/test_support.h"

namespace cdc::pg::testing {

inline PgResult Sql(const std::string& dsn, const std::string& sql) {
  PgConnection c(dsn, PgConnection::Mode::kQuery, "test");
  return c.exec(sql, "test SQL");
}

// CREATE DATABASE cdcd_t_<tag>_<pid>_<n> on the server of `admin_dsn`; the
// destructor drops its replication slots and the database.
class TestDatabase {
 public:
  TestDatabase(const std::string& admin_dsn, const std::string& tag) : admin_(admin_dsn) {
    static std::atomic<int> counter{0};
    name_ = "cdcd_t_" + tag + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
    Sql(admin_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    Sql(admin_, "CREATE DATABASE " + name_);
    dsn_ = admin_dsn + " dbname=" + name_;
  }
  ~TestDatabase() {
    try {
      for (int i = 0; i < 50; ++i) {
        PgResult r = Sql(admin_,
                         "SELECT count(*) FROM (SELECT pg_terminate_backend(active_pid) FROM "
                         "pg_replication_slots WHERE database = '" +
                             name_ + "' AND active_pid IS NOT NULL) t");
        try {
          Sql(admin_,
              "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
              "WHERE database = '" +
                  name_ + "'");
          break;
        } catch (const std::exception&) {
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
      }
      Sql(admin_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (const std::exception& e) {
      ADD_FAILURE() << "cleaning up database " << name_ << ": " << e.what();
    }
  }
  const std::string& dsn() const { return dsn_; }
  const std::string& name() const { return name_; }
  PgResult sql(const std::string& s) const { return Sql(dsn_, s); }

 private:
  std::string admin_;
  std::string name_;
  std::string dsn_;
};

// True once a walsender streams from `slot` (on the server of `dsn`). A slot
// is already listed as active while CREATE_REPLICATION_SLOT still waits for
// its consistent point, and a transaction committed then lies before the
// slot's start: only a walsender past START_REPLICATION (catchup or
// streaming) guarantees that later commits are captured.
inline bool SlotStreaming(const std::string& dsn, const std::string& slot) {
  return Sql(dsn,
             "SELECT 1 FROM pg_replication_slots r JOIN pg_stat_replication s ON "
             "s.pid = r.active_pid WHERE r.slot_name = '" +
                 slot + "' AND s.state IN ('catchup', 'streaming')")
             .rows() > 0;
}
inline bool SlotStreaming(const TestDatabase& db, const std::string& slot) {
  return SlotStreaming(db.dsn(), slot);
}

// Waits up to 30 s for SlotStreaming(); false if it never happened.
inline bool WaitSlotStreaming(const std::string& dsn, const std::string& slot) {
  for (int i = 0; i < 600; ++i) {
    if (SlotStreaming(dsn, slot)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}
inline bool WaitSlotStreaming(const TestDatabase& db, const std::string& slot) {
  return WaitSlotStreaming(db.dsn(), slot);
}

using ::cdc::testing::Shell;
using ::cdc::testing::ShellQuote;

// A PostgreSQL 15 of one test's own, started by `tests/services/svc start
// postgres` in a scratch state dir with `extra_conf` appended to its
// postgresql.conf (CDCD_TEST_PG_EXTRA_CONF): for settings the shared server
// must not have (wal_level = replica, a tiny max_slot_wal_keep_size) and
// faults it must not suffer (restarts). The destructor stops it and removes
// its data dir, also after a failed assertion; a failed start throws with
// svc's output (svc cleans up after itself then).
class PrivatePostgres {
 public:
  explicit PrivatePostgres(const std::string& extra_conf) {
    std::string out;
    if (Shell("CDCD_TEST_PG_EXTRA_CONF=" + ShellQuote(extra_conf) + " " + svc() +
                  " start postgres " + ShellQuote(state_.str()),
              out) != 0) {
      throw std::runtime_error("svc start postgres failed:\n" + out);
    }
    std::ifstream env(state_.path() / "postgres.env");
    for (std::string line; std::getline(env, line);) {
      auto eq = line.find("=\"");
      if (eq != std::string::npos && line.back() == '"') {
        env_[line.substr(0, eq)] = line.substr(eq + 2, line.size() - eq - 3);
      }
    }
    dsn_ = env_["CDCD_TEST_PG_DSN"];
    dir_ = env_["CDCD_TEST_PG_DIR"];
  }
  ~PrivatePostgres() {
    std::string out;
    // svc stop knows only the first postmaster's PID: after restart() the
    // server must be stopped here first, or it would outlive its data dir.
    pg_ctl("-w -t 30 stop -m immediate", out);
    if (Shell(svc() + " stop postgres " + ShellQuote(state_.str()), out) != 0) {
      ADD_FAILURE() << "svc stop postgres failed:\n" << out;
    }
  }
  PrivatePostgres(const PrivatePostgres&) = delete;
  PrivatePostgres& operator=(const PrivatePostgres&) = delete;

  // Superuser DSN of database postgres.
  const std::string& dsn() const { return dsn_; }

  // pg_ctl restart -m fast: every session ends, the server comes back on the
  // same port; returns once it accepts connections again.
  void restart() {
    std::string out;
    if (pg_ctl("-w -t 60 -l " + ShellQuote(dir_ + "/server.log") + " restart -m fast", out) != 0) {
      throw std::runtime_error("pg_ctl restart failed:\n" + out);
    }
  }

 private:
  static std::string svc() {
    return ShellQuote(::cdc::testing::SourcePath("tests/services/svc").string());
  }
  // pg_ctl on the data dir, as the user the server runs as (it refuses root).
  int pg_ctl(const std::string& args, std::string& out) const {
    if (dir_.empty()) return 1;
    std::string cmd =
        "/usr/lib/postgresql/15/bin/pg_ctl -D " + ShellQuote(dir_ + "/data") + " " + args;
    if (geteuid() == 0) {
      const char* runas = std::getenv("CDCD_TEST_RUNAS");
      std::string user = runas && *runas ? runas : "cdctest";
      cmd = "setpriv --reuid=" + ShellQuote(user) + " --regid=" + ShellQuote(user) +
            " --init-groups --reset-env -- " + cmd;
    }
    // cd first: the server's user cannot enter root's working directory.
    return Shell("cd " + ShellQuote(dir_) + " && " + cmd + " </dev/null", out);
  }

  ::cdc::testing::TempDir state_;
  std::map<std::string, std::string> env_;
  std::string dsn_;
  std::string dir_;
};

using ::cdc::testing::RunningSource;
using ::cdc::testing::WatchedEmitter;

// Source options for `db` streaming `tables` without a snapshot, on a slot
// and publication of the database's own names, with heartbeats off.
inline PostgresSourceOptions StreamingOptions(const TestDatabase& db,
                                              std::vector<std::string> tables) {
  using namespace std::chrono_literals;
  PostgresSourceOptions o;
  o.pipeline = "t";
  o.dsn = db.dsn();
  o.tables = std::move(tables);
  o.slot = "s_" + db.name().substr(7);
  o.publication = "p_" + db.name().substr(7);
  o.snapshot.mode = SnapshotMode::kNever;
  o.heartbeat_interval = 0ms;
  o.status_interval = 200ms;
  return o;
}

}  // namespace cdc::pg::testing
