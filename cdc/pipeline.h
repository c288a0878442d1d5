// Pipeline: moves events from one Source to one Sink, exactly once.
//
//   sink.recover() -> offset O
//   source.run(O) --emit--> EventQueue (bounded in bytes) --> batches --> sink.commit(batch, next)
//                                                                           then
//                                                                           source.acknowledge(next)
//
// Invariants:
//  - the source is only ever acknowledged an offset the sink has committed;
//  - a batch is cut when it holds max_events events or max_bytes bytes, when
//    the source is idle (Emitter::idle; unless commit_when_idle is off), or
//    `linger` after its first event, whichever comes first;
//  - memory is bounded by queue_bytes plus one batch (max_bytes), whatever
//    the size of a database transaction;
//  - on a TransientError from either side the pipeline stops the source,
//    backs off, asks the sink for its committed offset again and resumes
//    the source from there: nothing is lost and nothing is written twice;
//  - stop() drains what the source already emitted, commits it, and returns;
//  - with RetryOptions::standby, a HeldElsewhereError (another process holds
//    the sink's lock or lease, or the source's slot) puts the pipeline in
//    standby: nothing is read or written until it holds them itself.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "cdc/event_queue.h"
#include "cdc/sink.h"
#include "cdc/source.h"

namespace cdc {

// Defaults are sized for a peak RSS under 64 MiB while streaming a transaction
// of any size (bench/postgres: 1,000,000 rows of six mixed columns, Debezium
// envelope with schemas). Byte sizes are ChangeEvent::approx_bytes, the heap
// an event holds as malloc counts it (within 10 %, tested), so the peak is
// about 10 MiB + queue_bytes + max_bytes plus what the sink holds (the file
// sink writes a batch in 1 MiB pieces; it used to render it whole, 3 x
// max_bytes more) and, in a snapshot, its chunks (SnapshotSettings). With the
// former 64 MiB / 16 MiB that was 147 MiB; with 16 MiB / 4 MiB it was 50 MiB,
// 41 MiB with pieces (bench/README.md has the numbers). max_events stays
// 10000 so narrow rows still make large batches (fewer fsyncs and Kafka
// transactions).
struct BatchOptions {
  size_t max_events = 10000;
  uint64_t max_bytes = 4ull << 20;
  std::chrono::milliseconds linger{100};
  uint64_t queue_bytes = 16ull << 20;
  // Cut the batch as soon as the source is idle (Emitter::idle) instead of
  // waiting out `linger`: latency of one commit when the database is not
  // flooding us. false trades that latency for fewer, larger commits.
  bool commit_when_idle = true;
  // ... but an idle cut comes at least this long after the previous commit
  // began: at thousands of transactions a second the source is idle between
  // most of them, and a commit each time (three fsyncs in the file sink) was
  // ~90 us of kernel CPU per event. Full batches are never held.
  std::chrono::milliseconds min_commit_interval{5};
};

struct RetryOptions {
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{30000};
  // Hot standby (`standby: true`): when another process holds the pipeline
  // (HeldElsewhereError), stand by and try again every standby_poll instead
  // of failing. No backoff: the takeover after the active process dies must
  // be prompt. A retry is cheap while the sink is held elsewhere (a flock;
  // the Kafka lease, whose recover() itself waits for the lease), and the
  // Kafka takeover already spends the lease's 6 s session: every second of
  // poll on top counted against its 10 s.
  bool standby = false;
  std::chrono::milliseconds standby_poll{250};
};

// A pipeline's life: starting -> running, then retrying (a transient error;
// back to running after the backoff) or stopping -> stopped (asked to stop),
// finished (its source ended, e.g. an initial_only snapshot), failed (a
// permanent error; restarted only by a reload). standby: another process
// holds the pipeline and this one waits to take over (RetryOptions::standby).
enum class PipelineState {
  kStarting,
  kRunning,
  kRetrying,
  kStopping,
  kStopped,
  kFinished,
  kFailed,
  kStandby
};
inline constexpr PipelineState kAllPipelineStates[] = {
    PipelineState::kStarting, PipelineState::kRunning, PipelineState::kRetrying,
    PipelineState::kStopping, PipelineState::kStopped, PipelineState::kFinished,
    PipelineState::kFailed,   PipelineState::kStandby};
// "starting", "running", ...: as /pipelines and /metrics name them.
const char* StateName(PipelineState state);

struct PipelineStatus {
  std::string name;
  std::string sink_type;  // the `type` of its sink block, e.g. "kafka"
  PipelineState state = PipelineState::kStarting;
  std::optional<Offset> committed;
  uint64_t events_committed = 0;
  uint64_t batches_committed = 0;
  uint64_t retries = 0;
  uint64_t queue_bytes = 0;
  int64_t last_commit_us = 0;    // wall clock of the last commit
  int64_t last_event_ts_us = 0;  // commit time of the last committed event
  double last_commit_ms = 0;     // how long the last sink commit took
  std::string last_error;
  int64_t last_error_us = 0;                 // wall clock of last_error
  std::optional<uint64_t> source_lag_bytes;  // Source::lag_bytes()
  // Committed events per (table "db.schema.table" or "db.table", op name);
  // events of no table (heartbeats) have table "".
  std::map<std::pair<std::string, std::string>, uint64_t> events_by_table_op;
  // Sink commit durations: counts per upper bound kCommitSecondsBounds[i]
  // (not cumulative; the last slot is above every bound), and their sum.
  std::array<uint64_t, 11> commit_seconds_counts{};
  double commit_seconds_sum = 0;
};

// Upper bounds in seconds of PipelineStatus::commit_seconds_counts.
inline constexpr std::array<double, 10> kCommitSecondsBounds = {0.001, 0.0025, 0.005, 0.01, 0.025,
                                                                0.05,  0.1,    0.25,  1,    5};

class Pipeline {
 public:
  // `sink_type` is the `type` of its sink block (names its sink metrics).
  Pipeline(std::string name, std::unique_ptr<Source> source, std::unique_ptr<Sink> sink,
           BatchOptions batch, RetryOptions retry, std::string sink_type = "");

  // Runs until stop() (returns after draining), until the source is
  // exhausted (returns), or until a permanent failure (throws Error).
  void run();
  // Thread-safe, idempotent, non-blocking.
  void stop();
  PipelineStatus status() const;
  // The sink's own metrics (Sink::metrics()); thread-safe like status().
  std::vector<SinkMetric> sink_metrics() const { return sink_->metrics(); }
  // The source's snapshot requests and status (Source::request_snapshot,
  // Source::snapshot_status); thread-safe.
  std::string request_snapshot(const std::vector<std::string>& tables, const std::string& where) {
    return source_->request_snapshot(tables, where);
  }
  SnapshotStatus snapshot_status() const { return source_->snapshot_status(); }
  const std::string& name() const { return name_; }
  const std::string& sink_type() const { return sink_type_; }

 private:
  // One source run from `from`; returns normally when finished or stopped.
  void run_attempt(const std::optional<Offset>& from);
  void commit_loop();
  std::vector<ChangeEvent> next_batch();
  void commit(std::vector<ChangeEvent>& batch);
  // Sleeps the backoff for the n-th consecutive failure; false if stopped meanwhile.
  bool back_off(int failures);
  // Sleeps `delay`; false if stopped meanwhile.
  bool wait_for_stop(std::chrono::milliseconds delay);
  void set_state(PipelineState state, const std::string& error = "");

  const std::string name_;
  const std::string sink_type_;
  std::unique_ptr<Source> source_;
  std::unique_ptr<Sink> sink_;
  const BatchOptions batch_;
  const RetryOptions retry_;
  EventQueue queue_;
  std::chrono::steady_clock::time_point last_commit_start_{};  // commit thread only

  std::atomic<bool> stop_requested_{false};
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  std::optional<std::stop_source> source_stop_;  // of the running source thread

  mutable std::mutex status_mu_;
  PipelineStatus status_;
};

}  // namespace cdc
