// Test helpers for the postgres source (header-only: the test directories
// glob only *_test.cc): a throwaway database per test, SQL helpers, and an
// Emitter that a test can watch while the source runs on another thread.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cdc/source.h"
#include "sources/postgres/pg_connection.h"

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

// True once a walsender streams from `slot`. A slot is already listed as
// active while CREATE_REPLICATION_SLOT still waits for its consistent point,
// and a transaction committed then lies before the slot's start: only a
// walsender past START_REPLICATION (catchup or streaming) guarantees that
// later commits are captured.
inline bool SlotStreaming(const TestDatabase& db, const std::string& slot) {
  return db.sql(
               "SELECT 1 FROM pg_replication_slots r JOIN pg_stat_replication s ON "
               "s.pid = r.active_pid WHERE r.slot_name = '" +
               slot + "' AND s.state IN ('catchup', 'streaming')")
             .rows() > 0;
}

// Waits up to 30 s for SlotStreaming(); false if it never happened.
inline bool WaitSlotStreaming(const TestDatabase& db, const std::string& slot) {
  for (int i = 0; i < 600; ++i) {
    if (SlotStreaming(db, slot)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// Thread-safe collecting Emitter with waiting.
class WatchedEmitter : public Emitter {
 public:
  bool emit(ChangeEvent&& ev) override {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(ev));
    cv_.notify_all();
    return true;
  }
  Result try_emit_for(ChangeEvent& ev, std::chrono::milliseconds) override {
    emit(std::move(ev));
    return Result::kEmitted;
  }
  // Waits until `pred(events)` holds; false after `timeout`.
  template <typename Pred>
  bool wait(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return pred(events_); });
  }
  bool wait_data(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    return wait([n](const std::vector<ChangeEvent>& evs) { return CountData(evs) >= n; }, timeout);
  }
  std::vector<ChangeEvent> data() {
    std::lock_guard lock(mu_);
    std::vector<ChangeEvent> out;
    for (const ChangeEvent& e : events_)
      if (IsDataOp(e.op)) out.push_back(e);
    return out;
  }
  std::vector<ChangeEvent> all() {
    std::lock_guard lock(mu_);
    return events_;
  }
  static size_t CountData(const std::vector<ChangeEvent>& evs) {
    size_t n = 0;
    for (const ChangeEvent& e : evs) n += IsDataOp(e.op);
    return n;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<ChangeEvent> events_;
};

// Runs source.run() on a thread until stop() (or destruction).
class RunningSource {
 public:
  RunningSource(Source& source, std::optional<Offset> from, Emitter& out)
      : thread_([&source, from, &out, this](std::stop_token st) {
          try {
            source.run(from, out, st);
          } catch (const std::exception& e) {
            std::lock_guard lock(mu_);
            error_ = e.what();
          }
        }) {}
  ~RunningSource() { stop(); }
  void stop() {
    thread_.request_stop();
    if (thread_.joinable()) thread_.join();
  }
  std::string error() {
    std::lock_guard lock(mu_);
    return error_;
  }

 private:
  std::mutex mu_;
  std::string error_;
  std::jthread thread_;
};

}  // namespace cdc::pg::testing
