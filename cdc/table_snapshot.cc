#include "cdc/table_snapshot.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "cdc/error.h"
#include "cdc/logging.h"

namespace cdc {
namespace {

// The progress after one snapshot row, built only if its offset is
// committed (most rows' offsets never are): the compact progress as it stood
// when the row's chunk began (O(workers) tables), shared by the chunk's
// rows, with the row's own table at that row.
class RowProgress : public DeferredOffsetState {
 public:
  RowProgress(std::shared_ptr<const SnapshotProgress> base, const std::string* table,
              SnapshotProgress::Table at)
      : base_(std::move(base)), table_(table), at_(std::move(at)) {}
  nlohmann::json build(const nlohmann::json&) const override {
    nlohmann::json j = base_->to_json();
    j["tables"][*table_] = SnapshotTableJson(at_);
    return j;
  }
  // Its own block (make_shared: with the control block) and its last key;
  // base_ is shared by the chunk's rows.
  size_t approx_bytes() const override {
    size_t n = MallocBytes(16 + sizeof(RowProgress));
    if (at_.last_key) {
      n += MallocBytes(at_.last_key->capacity() * sizeof(std::string));
      for (const std::string& k : *at_.last_key) n += HeapBytes(k);
    }
    return n;
  }

 private:
  std::shared_ptr<const SnapshotProgress> base_;
  const std::string* table_;  // a key of base_->tables
  SnapshotProgress::Table at_;
};

using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kEmitWait{200};
constexpr std::chrono::seconds kProgressEvery{5};

struct QueuedChunk {
  size_t table = 0;
  SnapshotChunk chunk;
  Clock::time_point started;  // when the worker began the table (rates)
};

// Worker threads, a bounded chunk queue, the first error. Destruction stops
// and joins the workers.
class Readers {
 public:
  // `todo`: indexes into req.tables, in reading order; `start`: per table
  // of req.tables, the key its reading continues after.
  Readers(const SnapshotRequest& req, const ChunkReaderFactory& factory, std::vector<size_t> todo,
          std::vector<std::optional<std::vector<std::string>>> start)
      : req_(req), factory_(factory), todo_(std::move(todo)), start_(std::move(start)) {
    const size_t n = std::min<size_t>(static_cast<size_t>(std::max(1, req.workers)), todo_.size());
    capacity_ = n + 1;
    running_ = n;
    for (size_t w = 0; w < n; ++w) {
      threads_.emplace_back([this, w](std::stop_token st) { work(w, st); });
    }
  }
  ~Readers() {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.request_stop();
    threads_.clear();  // joins
  }

  // The next chunk; nullopt when every worker finished or on stop. Rethrows
  // a worker's error.
  std::optional<QueuedChunk> next(std::stop_token stop) {
    std::unique_lock lock(mu_);
    while (true) {
      if (error_) std::rethrow_exception(error_);
      if (!queue_.empty()) {
        QueuedChunk c = std::move(queue_.front());
        queue_.pop_front();
        cv_.notify_all();
        return c;
      }
      if (running_ == 0 || stop.stop_requested()) return std::nullopt;
      cv_.wait_for(lock, kEmitWait);
    }
  }

 private:
  void work(size_t w, std::stop_token st) {
    try {
      std::unique_ptr<TableChunkReader> reader = factory_(w);
      while (!st.stop_requested()) {
        const size_t k = next_table_++;
        if (k >= todo_.size()) break;
        read_table(*reader, todo_[k], st);
      }
    } catch (...) {
      std::lock_guard lock(mu_);
      if (!error_) error_ = std::current_exception();
    }
    std::lock_guard lock(mu_);
    --running_;
    cv_.notify_all();
  }

  // Blocks while the queue is full; false when closing.
  bool push(QueuedChunk&& c, std::stop_token st) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return closed_ || st.stop_requested() || queue_.size() < capacity_; });
    if (closed_ || st.stop_requested()) return false;
    queue_.push_back(std::move(c));
    cv_.notify_all();
    return true;
  }

  void read_table(TableChunkReader& reader, size_t t, std::stop_token st) {
    const SnapshotTable& table = req_.tables[t];
    const auto started = Clock::now();
    if (!table.ordered) {
      reader.read_whole(table, req_.chunk_size, [&](SnapshotChunk&& c) {
        return push(QueuedChunk{t, std::move(c), started}, st);
      });
      return;
    }
    std::optional<std::vector<std::string>> last = start_[t];
    while (!st.stop_requested()) {
      SnapshotChunk c = reader.read(table, last, req_.chunk_size);
      if (!c.rows.empty()) last = c.rows.back().key;
      const bool more = !c.last;
      if (!push(QueuedChunk{t, std::move(c), started}, st) || !more) break;
    }
  }

  const SnapshotRequest& req_;
  const ChunkReaderFactory& factory_;
  const std::vector<size_t> todo_;
  const std::vector<std::optional<std::vector<std::string>>> start_;
  std::atomic<size_t> next_table_{0};
  size_t capacity_ = 1;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<QueuedChunk> queue_;
  size_t running_ = 0;
  bool closed_ = false;
  std::exception_ptr error_;
  std::vector<std::jthread> threads_;
};

// Progress log lines: per table at most every kProgressEvery (none while a
// live status line shows it), and when done. A table read in one chunk says
// "done" at debug level only, so that 5,000 small tables give a tables-done
// count every kProgressEvery, not 5,000 lines.
class ProgressLog {
 public:
  ProgressLog(const SnapshotRequest& req) : req_(req), tables_(req.tables.size()) {}

  // `rows_total` counts rows of earlier runs too; the rate only this run's.
  void add(const QueuedChunk& c, uint64_t rows_total) {
    Entry& e = tables_[c.table];
    const auto now = Clock::now();
    const bool quick = c.chunk.last && !e.started;  // the whole table in one chunk
    if (!e.started) e.started = true, e.first_rows = rows_total - c.chunk.rows.size();
    // On a terminal the daemon's status line shows the progress live.
    if (!c.chunk.last && (now - e.logged < kProgressEvery || StatusLineShown())) return;
    e.logged = now;
    if (c.chunk.last) ++done_;
    const double secs = std::chrono::duration<double>(now - c.started).count();
    const double rate = secs > 0 ? static_cast<double>(rows_total - e.first_rows) / secs : 0;
    const double rows = static_cast<double>(rows_total);
    const double total = req_.tables[c.table].estimate;
    std::string pct = "?", eta = "?";
    if (c.chunk.last) {
      pct = "100", eta = "done";
    } else if (total > 0) {
      pct = std::to_string(static_cast<int>(std::min(99.0, 100.0 * rows / total)));
      if (rate > 0) {
        eta = std::to_string(static_cast<int64_t>(std::max(0.0, total - rows) / rate)) + "s";
      }
    }
    spdlog::log(quick ? spdlog::level::debug : spdlog::level::info,
                "{}: snapshot {}: {} rows ({}%), {:.0f} rows/s, ETA {}", req_.context,
                req_.tables[c.table].name, rows_total, pct, rate, eta);
    if (quick && done_ < tables_.size() && now - summarized_ >= kProgressEvery &&
        !StatusLineShown()) {
      summarized_ = now;
      spdlog::info("{}: snapshot: {} of {} tables done", req_.context, done_, tables_.size());
    }
  }

 private:
  struct Entry {
    bool started = false;
    Clock::time_point logged;
    uint64_t first_rows = 0;
  };
  const SnapshotRequest& req_;
  std::vector<Entry> tables_;
  size_t done_ = 0;
  Clock::time_point summarized_ = Clock::now();
};

// Throws unless the request allows reading `unordered` (tables without a
// key) again from their start after a restart.
void CheckKeyless(const SnapshotRequest& req, const std::vector<std::string>& unordered) {
  if (unordered.empty() || req.reread_keyless) return;
  std::string names;
  for (const std::string& n : unordered) names += (names.empty() ? "" : ", ") + n;
  throw Error(req.context + ": snapshot refused: " + names +
              (unordered.size() == 1 ? " has" : " have") + " no primary key, so a crash during " +
              (unordered.size() == 1 ? "its" : "their") +
              " snapshot could only be resumed by reading the table again from its start, "
              "delivering the rows read before the crash twice. Name columns that identify a "
              "row in snapshot.key_columns (the snapshot then resumes exactly), or set "
              "snapshot.keyless_tables: reread to accept those duplicates, or leave the table "
              "out of `tables`; then restart or reload (SIGHUP)");
}

// What a run reads: indexes into req.tables in name order (the order that
// keeps the progress compact), and per req.tables index its position in the
// ledger and the key its reading continues after.
struct Plan {
  std::vector<size_t> todo;
  std::vector<size_t> position;
  std::vector<std::optional<std::vector<std::string>>> start;
};

// Resets the progress of unordered tables that are not done (they are read
// again from their start).
Plan PlanTables(const SnapshotRequest& req, SnapshotLedger& ledger) {
  Plan plan;
  std::vector<size_t> unordered;
  std::vector<std::string> unordered_names;
  for (size_t i = 0; i < req.tables.size(); ++i) {
    const SnapshotTable& t = req.tables[i];
    const size_t pos = ledger.position(t.name);
    plan.position.push_back(pos);
    plan.start.push_back(ledger.state(pos).last_key);
    if (ledger.state(pos).done) continue;
    if (!t.ordered) unordered.push_back(i), unordered_names.push_back(t.name);
    plan.todo.push_back(i);
  }
  CheckKeyless(req, unordered_names);
  for (size_t i : unordered) {
    const uint64_t rows = ledger.state(plan.position[i]).rows;
    spdlog::warn(
        "{}: table {} has no primary key: the snapshot reads it whole, and a restart before "
        "it is done reads it again from its start (keyless_tables: reread; rows emitted "
        "before the restart are then delivered twice{})",
        req.context, req.tables[i].name, rows > 0 ? ", as now: " + std::to_string(rows) : "");
    ledger.set(plan.position[i], {});
    plan.start[i].reset();
  }
  std::sort(plan.todo.begin(), plan.todo.end(),
            [&](size_t x, size_t y) { return plan.position[x] < plan.position[y]; });
  return plan;
}

// Builds and emits the events of RunTableSnapshot, holding the latest one
// back so that the very last gets its mark and final offset.
class EventWriter {
 public:
  EventWriter(const SnapshotRequest& req, SnapshotLedger& ledger, const Plan& plan, Emitter& out,
              std::stop_token stop)
      : req_(req),
        ledger_(ledger),
        plan_(plan),
        out_(out),
        stop_(stop),
        tx_(kSnapshotTxPrefix + req.point_label),
        snapshot_ts_(NowMicros()),
        table_started_(req.tables.size(), false) {}

  // Emits the events of one chunk; false when stopping.
  bool add(QueuedChunk& c) {
    const SnapshotTable& t = req_.tables[c.table];
    const size_t pos = plan_.position[c.table];
    ledger_.touch(pos);
    SnapshotProgress::Table state = ledger_.state(pos);
    // The base of this chunk's row offsets: the progress as it is now,
    // unless only this table changed since the last base was taken (its
    // entry is replaced in every row's offset anyway).
    if (!base_ || base_table_ != c.table)
      base_ = std::make_shared<const SnapshotProgress>(ledger_.progress());
    base_table_ = c.table;
    // The name lives as long as the rows' offsets: a key of base_->tables
    // (a table emitted from is listed: above, or at, its frontier and not done).
    const std::string* name = &base_->tables.find(ledger_.name(pos))->first;
    const size_t n = c.chunk.rows.size();
    for (size_t i = 0; i < n; ++i) {
      SnapshotRow& row = c.chunk.rows[i];
      const bool table_last = c.chunk.last && i + 1 == n;
      ChangeEvent ev;
      ev.op = Op::kRead;
      ev.id = tx_ + ":" + std::to_string(index_);
      ev.source.connector = req_.connector;
      ev.source.server_name = req_.server_name;
      ev.source.table = t.schema->id();
      ev.source.commit_ts_us = snapshot_ts_;
      // Debezium's precedence: last of the snapshot (set on the held-back
      // final event), first of it, last in its table, first in its table.
      ev.source.snapshot = first_event_               ? SnapshotMark::kFirst
                           : table_last               ? SnapshotMark::kLastInTable
                           : !table_started_[c.table] ? SnapshotMark::kFirstInTable
                                                      : SnapshotMark::kTrue;
      first_event_ = false;
      table_started_[c.table] = true;
      ev.source.fields = req_.source_fields;
      ev.source.sequence = req_.sequence;
      ev.schema = t.schema;
      ev.after = std::move(row.after);
      ev.capture_ts_us = NowMicros();
      ++state.rows;
      if (t.ordered) state.last_key = std::move(row.key);
      state.done = table_last;
      ++index_;
      ev.next = Offset{tx_, index_};
      ev.next.deferred = std::make_shared<RowProgress>(base_, name, state);
      if (pending_ && !emit(*pending_)) return false;
      pending_ = std::move(ev);
    }
    if (c.chunk.last) state.done = true;
    ledger_.set(pos, std::move(state));
    return true;
  }

  // Emits the held-back event as the last one; false when stopping.
  bool finish() {
    if (!pending_) return true;
    pending_->source.snapshot = SnapshotMark::kLast;
    if (req_.finish_done) {
      ledger_.set_phase("done");
      pending_->next = Offset{tx_, index_, ledger_.progress().to_json()};
    } else {
      pending_->next = req_.final_offset;
    }
    return emit(*pending_);
  }

  uint64_t events() const { return index_; }

 private:
  bool emit(ChangeEvent& ev) {
    while (true) {
      Emitter::Result r = out_.try_emit_for(ev, kEmitWait);
      if (r == Emitter::Result::kEmitted) return true;
      if (r == Emitter::Result::kStopping || stop_.stop_requested()) return false;
    }
  }

  const SnapshotRequest& req_;
  SnapshotLedger& ledger_;
  const Plan& plan_;
  Emitter& out_;
  std::stop_token stop_;
  const std::string tx_;
  const int64_t snapshot_ts_;
  uint64_t index_ = 0;
  std::shared_ptr<const SnapshotProgress> base_;  // see add()
  size_t base_table_ = 0;                         // the table of the last chunk
  bool first_event_ = true;
  std::vector<bool> table_started_;
  std::optional<ChangeEvent> pending_;
};

}  // namespace

bool IsSnapshotOffset(const Offset& offset) {
  return offset.tx.rfind(kSnapshotTxPrefix, 0) == 0;
}

bool RunTableSnapshot(const SnapshotRequest& req, const ChunkReaderFactory& factory, Emitter& out,
                      std::stop_token stop) {
  if (req.chunk_size < 1) throw Error(req.context + ": snapshot chunk size must be at least 1");
  std::vector<std::string> names;
  names.reserve(req.tables.size());
  for (const SnapshotTable& t : req.tables) names.push_back(t.name);
  SnapshotLedger ledger(std::move(names), req.progress);
  if (const std::optional<std::string>& changed = ledger.resumed_set_changed()) {
    spdlog::warn(
        "{}: the captured tables named up to {} are not those of when the snapshot began ({}): "
        "the resume takes them as read. A table created since is exact (the catch-up "
        "streams its rows); a table that existed before and was added to the pipeline since "
        "is not read by this snapshot: request an incremental snapshot of it (`cdcd snapshot`)",
        req.context, req.progress.through->table, *changed);
  }
  Plan plan = PlanTables(req, ledger);
  const std::vector<size_t>& todo = plan.todo;
  struct Tracking {
    SnapshotTracker* t;
    bool completed = false;
    ~Tracking() {
      if (t) t->end(completed);
    }
  } tracking{req.tracker};
  if (req.tracker) {
    std::vector<SnapshotTracker::Table> tables;
    for (size_t i : todo) tables.push_back({req.tables[i].name, req.tables[i].estimate});
    req.tracker->begin("initial", req.point_label, tables);
  }
  spdlog::info("{}: snapshot at {} of {} tables ({} to read) with {} workers", req.context,
               req.point_label, req.tables.size(), todo.size(), req.workers);
  EventWriter writer(req, ledger, plan, out, stop);
  ProgressLog log(req);
  {
    Readers readers(req, factory, todo, plan.start);
    while (std::optional<QueuedChunk> chunk = readers.next(stop)) {
      if (!writer.add(*chunk)) return false;
      const std::string& name = req.tables[chunk->table].name;
      log.add(*chunk, ledger.state(plan.position[chunk->table]).rows);
      if (req.tracker) {
        req.tracker->rows(name, chunk->chunk.rows.size());
        if (chunk->chunk.last) req.tracker->table_done(name);
      }
    }
  }
  if (stop.stop_requested() || !writer.finish()) return false;
  spdlog::info("{}: snapshot at {} complete: {} rows", req.context, req.point_label,
               writer.events());
  tracking.completed = true;
  return true;
}

}  // namespace cdc
