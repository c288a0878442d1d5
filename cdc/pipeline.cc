#include "cdc/pipeline.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <thread>

#include "cdc/error.h"

namespace cdc {
namespace {

using Clock = std::chrono::steady_clock;
// How long the commit loop waits for a first event before checking whether
// the source finished; short enough for a prompt stop.
constexpr std::chrono::milliseconds kIdlePoll{100};

}  // namespace

Pipeline::Pipeline(std::string name, std::unique_ptr<Source> source, std::unique_ptr<Sink> sink,
                   BatchOptions batch, RetryOptions retry, std::string sink_type)
    : name_(std::move(name)),
      sink_type_(std::move(sink_type)),
      source_(std::move(source)),
      sink_(std::move(sink)),
      batch_(batch),
      retry_(retry),
      queue_(batch.queue_bytes) {
  status_.name = name_;
  status_.sink_type = sink_type_;
}

const char* StateName(PipelineState state) {
  switch (state) {
    case PipelineState::kStarting:
      return "starting";
    case PipelineState::kRunning:
      return "running";
    case PipelineState::kRetrying:
      return "retrying";
    case PipelineState::kStopping:
      return "stopping";
    case PipelineState::kStopped:
      return "stopped";
    case PipelineState::kFinished:
      return "finished";
    case PipelineState::kFailed:
      return "failed";
    case PipelineState::kStandby:
      return "standby";
  }
  return "unknown";
}

void Pipeline::run() {
  int failures = 0;
  while (!stop_requested_) {
    const uint64_t batches_before = status().batches_committed;
    try {
      std::optional<Offset> from = sink_->recover();
      {
        std::lock_guard lock(status_mu_);
        status_.committed = from;
      }
      spdlog::info("pipeline {}: resuming from {}", name_,
                   from ? from->debug_string() : "the beginning (nothing committed yet)");
      set_state(PipelineState::kRunning);
      run_attempt(from);
      set_state(stop_requested_ ? PipelineState::kStopped : PipelineState::kFinished);
      spdlog::info("pipeline {}: {}", name_, stop_requested_ ? "stopped" : "source finished");
      return;
    } catch (const HeldElsewhereError& e) {
      if (!retry_.standby) {
        spdlog::error("pipeline {}: stopped: {}", name_, e.what());
        set_state(PipelineState::kFailed, e.what());
        throw;
      }
      if (status().state != PipelineState::kStandby) {
        spdlog::info("pipeline {}: standing by: {}", name_, e.what());
        set_state(PipelineState::kStandby);
      }
      if (!wait_for_stop(retry_.standby_poll)) break;
    } catch (const TransientError& e) {
      // Backoff grows with consecutive failures; progress since resets it.
      if (status().batches_committed > batches_before) failures = 0;
      ++failures;
      {
        std::lock_guard lock(status_mu_);
        ++status_.retries;
      }
      set_state(PipelineState::kRetrying, e.what());
      spdlog::warn("pipeline {}: {} (retry {}, resuming from the committed offset)", name_,
                   e.what(), failures);
      if (!back_off(failures)) break;
    } catch (const std::exception& e) {
      // Logged first: once /pipelines says failed, the log says why.
      spdlog::error("pipeline {}: stopped: {}", name_, e.what());
      set_state(PipelineState::kFailed, e.what());
      throw;
    }
  }
  set_state(PipelineState::kStopped);
}

void Pipeline::run_attempt(const std::optional<Offset>& from) {
  queue_.reset();
  std::exception_ptr source_error;
  std::jthread source_thread([&](std::stop_token st) {
    try {
      source_->run(from, queue_, st);
    } catch (...) {
      source_error = std::current_exception();
    }
    queue_.producer_done();
  });
  {
    std::lock_guard lock(stop_mu_);
    source_stop_ = source_thread.get_stop_source();
    if (stop_requested_) {
      source_stop_->request_stop();
      queue_.close();
    }
  }
  auto halt_source = [&] {
    std::lock_guard lock(stop_mu_);
    source_stop_.reset();
    source_thread.request_stop();
    queue_.close();
  };
  try {
    commit_loop();
  } catch (...) {
    halt_source();
    source_thread.join();
    throw;
  }
  halt_source();
  source_thread.join();
  if (source_error) std::rethrow_exception(source_error);
}

void Pipeline::commit_loop() {
  while (!queue_.drained()) {
    std::vector<ChangeEvent> batch = next_batch();
    if (batch.empty()) continue;
    commit(batch);
    queue_.recycle(batch);  // or freed here
  }
}

std::vector<ChangeEvent> Pipeline::next_batch() {
  std::vector<ChangeEvent> batch;
  queue_.pop_batch(Clock::now() + kIdlePoll,
                   {batch_.max_events, batch_.max_bytes, batch_.linger, batch_.commit_when_idle,
                    last_commit_start_ + batch_.min_commit_interval},
                   batch);
  return batch;
}

namespace {

// Events of one batch per (table, op): a batch touches few tables, so a short
// list searched linearly, and no string built per event.
struct TableOpCount {
  const TableId* table;
  Op op;
  uint64_t n;
};

std::vector<TableOpCount> CountByTableOp(const std::vector<ChangeEvent>& batch) {
  std::vector<TableOpCount> out;
  for (const ChangeEvent& e : batch) {
    auto it = std::find_if(out.begin(), out.end(), [&](const TableOpCount& c) {
      return c.op == e.op && *c.table == e.source.table;
    });
    if (it == out.end()) {
      out.push_back({&e.source.table, e.op, 1});
    } else {
      ++it->n;
    }
  }
  return out;
}

size_t CommitBucket(double seconds) {
  size_t i = 0;
  while (i < kCommitSecondsBounds.size() && seconds > kCommitSecondsBounds[i]) ++i;
  return i;
}

}  // namespace

void Pipeline::commit(std::vector<ChangeEvent>& batch) {
  // Sinks store built states only (a snapshot's are deferred per event).
  Offset next = batch.back().next;
  next.resolve();
  auto t0 = Clock::now();
  last_commit_start_ = t0;
  sink_->commit(batch, next);
  double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  const std::vector<TableOpCount> counts = CountByTableOp(batch);
  {
    std::lock_guard lock(status_mu_);
    status_.committed = next;
    status_.events_committed += batch.size();
    status_.batches_committed += 1;
    status_.last_commit_us = NowMicros();
    status_.last_event_ts_us = batch.back().source.commit_ts_us;
    status_.last_commit_ms = ms;
    status_.queue_bytes = queue_.bytes();
    for (const TableOpCount& c : counts) {
      const std::string table = c.table->table.empty() ? "" : c.table->qualified();
      status_.events_by_table_op[{table, OpName(c.op)}] += c.n;
    }
    status_.commit_seconds_counts[CommitBucket(ms / 1000)] += 1;
    status_.commit_seconds_sum += ms / 1000;
  }
  spdlog::debug("pipeline {}: committed {} events up to {} in {:.1f} ms", name_, batch.size(),
                next.debug_string(), ms);
  // Only now may the source let go of its log: the sink holds these events.
  source_->acknowledge(next);
}

bool Pipeline::back_off(int failures) {
  auto delay = retry_.initial_backoff * (1LL << std::min(failures - 1, 16));
  return wait_for_stop(std::min<std::chrono::milliseconds>(delay, retry_.max_backoff));
}

bool Pipeline::wait_for_stop(std::chrono::milliseconds delay) {
  std::unique_lock lock(stop_mu_);
  stop_cv_.wait_for(lock, delay, [&] { return stop_requested_.load(); });
  return !stop_requested_;
}

void Pipeline::stop() {
  std::lock_guard lock(stop_mu_);
  if (stop_requested_.exchange(true)) return;
  set_state(PipelineState::kStopping);
  if (source_stop_) source_stop_->request_stop();
  queue_.close();
  stop_cv_.notify_all();
}

PipelineStatus Pipeline::status() const {
  const std::optional<uint64_t> lag = source_->lag_bytes();
  std::lock_guard lock(status_mu_);
  PipelineStatus s = status_;
  s.queue_bytes = queue_.bytes();
  s.source_lag_bytes = lag;
  return s;
}

void Pipeline::set_state(PipelineState state, const std::string& error) {
  std::lock_guard lock(status_mu_);
  status_.state = state;
  if (!error.empty()) {
    status_.last_error = error;
    status_.last_error_us = NowMicros();
  }
}

}  // namespace cdc
