// The writer's workload of the chaos suite (chaos_test.cc), on a server of
// chaos_servers.h.
//
// The workload writes t1, t2 (id BIGINT PRIMARY KEY, ver BIGINT, note) and t3
// (the same columns without a primary key; the writer keeps its ids unique):
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

#include "tests/chaos/chaos_servers.h"
#include "tests/sources/postgres/pg_test_env.h"
#include "tests/support/shell.h"
#include "tests/support/test_support.h"

namespace cdc::testing {

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
  // new one (docs/event-format.md). In the keyless table it is an update,
  // found under the new id (the verifier drops the old one).
  void move_key(Tx& tx, int t, int64_t from, int64_t to) {
    const int64_t old_ver = model_[t].at(from).ver;
    const RowVersion row = next_row('m');
    tx.statements.push_back({"UPDATE " + TableName(t) + " SET id = " + std::to_string(to) +
                                 ", ver = " + std::to_string(row.ver) + ", note = '" + row.note +
                                 "' WHERE id = " + std::to_string(from),
                             1});
    if (t == kKeylessTable) {
      tx.changes.push_back({t, 'u', to, row.ver});
    } else {
      tx.changes.push_back({t, 'd', from, old_ver});
      tx.changes.push_back({t, 'c', to, row.ver});
    }
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
