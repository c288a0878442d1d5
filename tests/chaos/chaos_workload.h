// The source side of the chaos suite (chaos_test.cc): a database server of
// the test's own, which the faults restart, and the writer's workload.
//
// The servers come from tests/services/svc in scratch state dirs (the
// Private* helpers of the source tests), so restarts disturb no other test.
// svc has no restart that keeps the data: PostgreSQL restarts through pg_ctl
// (fast or immediate shutdown); MariaDB is signalled (SIGTERM, or SIGKILL: a
// crash) and its command line run again, as own_kafka_broker.h does.
//
// The workload writes t1, t2, t3 (id BIGINT PRIMARY KEY, ver BIGINT, note):
// small transactions of inserts, updates, primary-key changes and deletes,
// now and then a large insert and a TRUNCATE. Every row version gets a unique
// `ver`, so each change event is named by its op and a version: a create or
// update by the version it writes, a delete by the one it removes. The writer
// keeps a model of the tables (to pick existing keys) and records in commit
// order the events its committed transactions must produce: the history.
//
// On any error the writer reconnects and learns whether the transaction
// committed: each one inserts its number into chaos_txlog, which cdcd does
// not capture. (MariaDB's TRUNCATE commits on its own: it committed if the
// table, which had rows and only the writer writes, is empty.) A transaction
// that did not commit is undone in the model and leaves no history.
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

inline std::string TableName(int t) {
  return "t" + std::to_string(t + 1);
}

// One change event the sink must deliver.
struct Change {
  int table = 0;
  char op = 'c';    // c, u, d or t (truncate)
  int64_t key = 0;  // the row's id; 0 for a truncate
  int64_t ver = 0;  // c, u: the version written; d: the version removed; 0 for a truncate
};

// What the database holds for one key.
struct RowVersion {
  int64_t ver = 0;
  std::string note;
  bool operator==(const RowVersion&) const = default;
};
using TableRows = std::map<int64_t, RowVersion>;
using Tables = std::array<TableRows, kTables>;

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
    ddl.push_back("CREATE TABLE " + TableName(t) +
                  " (id BIGINT PRIMARY KEY, ver BIGINT NOT NULL, note VARCHAR(40) NOT NULL)");
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

// The rows of t1..t3 as the database holds them now.
inline Tables ReadTables(const ChaosDb& db) {
  std::unique_ptr<SqlSession> s = db.connect();
  Tables out;
  for (int t = 0; t < kTables; ++t) {
    for (const auto& row : s->query("SELECT id, ver, note FROM " + TableName(t))) {
      out[t][std::stoll(row.at(0))] = RowVersion{std::stoll(row.at(1)), row.at(2)};
    }
  }
  return out;
}

// Keys whose rows differ between `a` and `b` (present in one only, or with
// other values).
inline size_t CountDiffs(const TableRows& a, const TableRows& b) {
  size_t n = 0;
  for (const auto& [key, row] : a) {
    auto it = b.find(key);
    n += it == b.end() || !(it->second == row);
  }
  for (const auto& [key, row] : b) n += a.count(key) == 0;
  return n;
}

// A statement changed another number of rows than the model planned: the
// history cannot be trusted any more, so the writer stops.
class ModelDiverged : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The writer: start(), stop() after the fault period, then commit_marker().
class Workload {
 public:
  Workload(const ChaosDb& db, uint32_t seed, int large_tx_rows)
      : db_(db), rng_(seed), large_tx_rows_(large_tx_rows) {}
  ~Workload() { stop(); }

  void start() {
    thread_ = std::thread([this] { run(); });
  }
  // Ends the writer after its current transaction.
  void stop() {
    writing_ = false;
    if (thread_.joinable()) thread_.join();
  }
  // After stop(): commits the one row of chaos_marker; once the sink holds
  // it, it holds everything committed before. False (see error()) if not.
  bool commit_marker() {
    try {
      if (!session_) session_ = reconnect(Clock::now() + std::chrono::minutes(3));
      for (int attempt = 0; attempt < 5; ++attempt) {
        Tx tx;
        tx.statements.push_back({"INSERT INTO chaos_marker VALUES (1)", 1});
        if (commit(tx)) return true;
      }
      error_ = "the marker row did not commit in 5 attempts";
    } catch (const std::exception& e) {
      error_ = e.what();
    }
    return false;
  }

  // After stop(): what ended the writer early ("" when nothing did).
  const std::string& error() const { return error_; }
  // After stop(): every change event committed, in commit order.
  const std::vector<Change>& history() const { return history_; }
  // After stop(): the tables as the writer knows them.
  const Tables& model() const { return model_; }
  std::string summary() const {
    return std::to_string(committed_) + " transactions committed, " + std::to_string(interrupted_) +
           " interrupted by faults (" + std::to_string(resolved_committed_) +
           " of them had committed), " + std::to_string(sessions_) + " sessions";
  }

 private:
  using Clock = std::chrono::steady_clock;
  static constexpr uint64_t kAnyRows = UINT64_MAX;
  static constexpr int64_t kKeySpace = 400;       // the small keys, which come and go
  static constexpr int64_t kFreshKeys = 1000000;  // keys of large transactions and spares

  struct Statement {
    std::string sql;
    uint64_t rows;  // the rows it must change (kAnyRows: unchecked)
  };
  // How to give a key back the row it had before the transaction.
  struct Undo {
    int table;
    int64_t key;
    std::optional<RowVersion> before;
  };
  struct Tx {
    std::vector<Statement> statements;
    std::vector<Change> changes;
    std::vector<Undo> undo;
    std::optional<std::pair<int, TableRows>> truncated;  // the table and the rows it had
  };

  void run() {
    try {
      session_ = reconnect(Clock::now() + std::chrono::minutes(3));
      Clock::time_point next_large = later(10000, 30000);
      Clock::time_point next_truncate = later(15000, 40000);
      while (writing_) {
        Tx tx;
        if (Clock::now() >= next_large) {
          plan_large(tx);
          next_large = later(10000, 30000);
        } else if (Clock::now() >= next_truncate && plan_truncate(tx)) {
          next_truncate = later(15000, 40000);
        } else {
          plan_small(tx);
        }
        commit(tx);
        std::this_thread::sleep_for(std::chrono::milliseconds(2 + rng_() % 15));
      }
    } catch (const std::exception& e) {
      error_ = e.what();
    }
  }

  Clock::time_point later(int min_ms, int max_ms) {
    return Clock::now() + std::chrono::milliseconds(min_ms + rng_() % (max_ms - min_ms + 1));
  }

  // --- planning: each step changes the model and says how to undo it ---

  // 1 to 8 changes on random tables: 40% inserts, 30% updates, 10% key
  // changes, 20% deletes (an insert where the table is empty).
  void plan_small(Tx& tx) {
    const int n = 1 + static_cast<int>(rng_() % 8);
    for (int i = 0; i < n; ++i) {
      const int t = static_cast<int>(rng_() % kTables);
      const int roll = static_cast<int>(rng_() % 100);
      const std::optional<int64_t> key = roll < 40 ? std::nullopt : existing_key(t);
      if (!key) {
        write(tx, t, absent_key(t), 'c');
      } else if (roll < 70) {
        write(tx, t, *key, 'u');
      } else if (roll < 80) {
        move_key(tx, t, *key, absent_key(t));
      } else {
        remove(tx, t, *key);
      }
    }
  }

  // One INSERT ... SELECT of large_tx_rows_ fresh keys: cut by many batches.
  void plan_large(Tx& tx) {
    const int t = static_cast<int>(rng_() % kTables);
    const int64_t lo = next_fresh_key_, hi = lo + large_tx_rows_ - 1;
    const int64_t offset = next_ver_ - lo;  // versions next_ver_ ... in key order
    next_fresh_key_ = hi + 1;
    next_ver_ += large_tx_rows_;
    tx.statements.push_back(
        {"INSERT INTO " + TableName(t) + " (id, ver, note) " + db_.bulk_rows(lo, hi, offset),
         static_cast<uint64_t>(large_tx_rows_)});
    for (int64_t key = lo; key <= hi; ++key) {
      tx.changes.push_back({t, 'c', key, key + offset});
      set(tx, t, key, RowVersion{key + offset, "bulk"});
    }
  }

  // TRUNCATE of a table that has rows; false when none has.
  bool plan_truncate(Tx& tx) {
    const int first = static_cast<int>(rng_() % kTables);
    for (int i = 0; i < kTables; ++i) {
      const int t = (first + i) % kTables;
      if (model_[t].empty()) continue;
      tx.statements.push_back({"TRUNCATE TABLE " + TableName(t), kAnyRows});
      tx.changes.push_back({t, 't', 0, 0});
      tx.truncated.emplace(t, std::move(model_[t]));
      model_[t].clear();
      return true;
    }
    return false;
  }

  // An insert (op c) or an update (op u) of `key`, with a new version.
  void write(Tx& tx, int t, int64_t key, char op) {
    const RowVersion row = next_row(op);
    const std::string k = std::to_string(key), v = std::to_string(row.ver);
    tx.statements.push_back({op == 'c'
                                 ? "INSERT INTO " + TableName(t) + " (id, ver, note) VALUES (" + k +
                                       ", " + v + ", '" + row.note + "')"
                                 : "UPDATE " + TableName(t) + " SET ver = " + v + ", note = '" +
                                       row.note + "' WHERE id = " + k,
                             1});
    tx.changes.push_back({t, op, key, row.ver});
    set(tx, t, key, row);
  }

  // A primary-key change: a delete under the old key and a create under the
  // new one (docs/event-format.md).
  void move_key(Tx& tx, int t, int64_t from, int64_t to) {
    const int64_t old_ver = model_[t].at(from).ver;
    const RowVersion row = next_row('m');
    tx.statements.push_back({"UPDATE " + TableName(t) + " SET id = " + std::to_string(to) +
                                 ", ver = " + std::to_string(row.ver) + ", note = '" + row.note +
                                 "' WHERE id = " + std::to_string(from),
                             1});
    tx.changes.push_back({t, 'd', from, old_ver});
    tx.changes.push_back({t, 'c', to, row.ver});
    set(tx, t, from, std::nullopt);
    set(tx, t, to, row);
  }

  void remove(Tx& tx, int t, int64_t key) {
    tx.statements.push_back(
        {"DELETE FROM " + TableName(t) + " WHERE id = " + std::to_string(key), 1});
    tx.changes.push_back({t, 'd', key, model_[t].at(key).ver});
    set(tx, t, key, std::nullopt);
  }

  RowVersion next_row(char kind) {
    const int64_t ver = next_ver_++;
    return RowVersion{ver, kind + std::to_string(ver)};
  }

  void set(Tx& tx, int t, int64_t key, std::optional<RowVersion> row) {
    auto it = model_[t].find(key);
    tx.undo.push_back(
        {t, key, it == model_[t].end() ? std::nullopt : std::optional<RowVersion>(it->second)});
    if (row) {
      model_[t][key] = *row;
    } else {
      model_[t].erase(key);
    }
  }

  // Mostly a small key; now and then a row of a large transaction.
  std::optional<int64_t> existing_key(int t) {
    const TableRows& rows = model_[t];
    if (rows.empty()) return std::nullopt;
    const int64_t from =
        rng_() % 5 == 0
            ? kFreshKeys + static_cast<int64_t>(rng_() % (next_fresh_key_ - kFreshKeys + 1))
            : 1 + static_cast<int64_t>(rng_() % kKeySpace);
    auto it = rows.lower_bound(from);
    return it == rows.end() ? rows.begin()->first : it->first;
  }

  // A small key the table does not hold (so keys come back after deletes),
  // or else a fresh one.
  int64_t absent_key(int t) {
    for (int i = 0; i < 20; ++i) {
      const int64_t key = 1 + static_cast<int64_t>(rng_() % kKeySpace);
      if (model_[t].count(key) == 0) return key;
    }
    return next_fresh_key_++;
  }

  // --- running a transaction through faults ---

  // Runs `tx`; on any error reconnects and finds out whether it committed.
  // Records its changes when it did, undoes them in the model when not.
  bool commit(Tx& tx) {
    const int64_t id = ++tx_number_;
    bool committed = false;
    try {
      execute(tx, id);
      committed = true;
    } catch (const ModelDiverged&) {
      throw;
    } catch (const std::exception&) {
      ++interrupted_;
      committed = resolve(tx, id);
      resolved_committed_ += committed;
    }
    if (committed) {
      ++committed_;
      history_.insert(history_.end(), tx.changes.begin(), tx.changes.end());
    } else {
      undo(tx);
    }
    return committed;
  }

  bool standalone(const Tx& tx) const { return tx.truncated && !db_.truncate_in_transaction(); }

  void execute(const Tx& tx, int64_t id) {
    if (!standalone(tx)) session_->exec("BEGIN");
    for (const Statement& s : tx.statements) {
      const uint64_t n = session_->exec(s.sql);
      if (s.rows != kAnyRows && n != s.rows) {
        throw ModelDiverged(s.sql + ": changed " + std::to_string(n) + " rows instead of " +
                            std::to_string(s.rows));
      }
    }
    if (standalone(tx)) return;
    session_->exec("INSERT INTO chaos_txlog VALUES (" + std::to_string(id) + ")");
    session_->exec("COMMIT");
  }

  // Whether transaction `id` committed, asked on a new session (the old one
  // is closed first: a transaction still open there rolls back).
  bool resolve(const Tx& tx, int64_t id) {
    const auto deadline = Clock::now() + std::chrono::minutes(3);
    for (;;) {
      try {
        session_ = reconnect(deadline);
        if (standalone(tx)) {
          return session_->query("SELECT COUNT(*) FROM " + TableName(tx.truncated->first))
                     .at(0)
                     .at(0) == "0";
        }
        return !session_->query("SELECT id FROM chaos_txlog WHERE id = " + std::to_string(id))
                    .empty();
      } catch (const std::exception& e) {
        if (Clock::now() > deadline) {
          throw std::runtime_error("cannot learn whether transaction " + std::to_string(id) +
                                   " committed: " + e.what());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
    }
  }

  std::unique_ptr<SqlSession> reconnect(Clock::time_point deadline) {
    session_.reset();
    for (;;) {
      try {
        std::unique_ptr<SqlSession> s = db_.connect();
        ++sessions_;
        return s;
      } catch (const std::exception& e) {
        if (Clock::now() > deadline) {
          throw std::runtime_error("no connection to " + db_.name() + ": " + e.what());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
    }
  }

  void undo(Tx& tx) {
    for (auto it = tx.undo.rbegin(); it != tx.undo.rend(); ++it) {
      if (it->before) {
        model_[it->table][it->key] = *it->before;
      } else {
        model_[it->table].erase(it->key);
      }
    }
    if (tx.truncated) model_[tx.truncated->first] = std::move(tx.truncated->second);
  }

  const ChaosDb& db_;
  std::mt19937 rng_;
  const int large_tx_rows_;
  std::unique_ptr<SqlSession> session_;
  Tables model_;
  std::vector<Change> history_;
  int64_t next_ver_ = 1;
  int64_t next_fresh_key_ = kFreshKeys;
  int64_t tx_number_ = 0;
  uint64_t committed_ = 0, interrupted_ = 0, resolved_committed_ = 0, sessions_ = 0;
  std::string error_;
  std::atomic<bool> writing_{true};  // declared before thread_, which reads it
  std::thread thread_;
};

}  // namespace cdc::testing
