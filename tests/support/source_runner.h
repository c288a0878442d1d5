// Running a Source in a test: an Emitter that collects events and lets the
// test wait for them, a thread that runs source.run() until stopped, and a
// whole Pipeline (with its retries) into a sink that records row ids.
// Header-only (test directories glob their *.cc files).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cdc/pipeline.h"
#include "cdc/sink.h"
#include "cdc/source.h"

namespace cdc::testing {

// Thread-safe collecting Emitter with waiting.
class WatchedEmitter : public Emitter {
 public:
  // Stands in for a sink that commits every event as it comes: `source` is
  // acknowledged with each event's offset (a source that waits for its
  // first commit, as MySQL's first start without a snapshot does, needs it).
  void acknowledge_to(Source* source) { acknowledge_ = source; }

  bool emit(ChangeEvent&& ev) override {
    ev.next.resolve();  // as the pipeline resolves what it commits, so tests read states
    const Offset next = ev.next;
    {
      std::lock_guard lock(mu_);
      events_.push_back(std::move(ev));
      cv_.notify_all();
    }
    if (acknowledge_) acknowledge_->acknowledge(next);
    return true;
  }
  Result try_emit_for(ChangeEvent& ev, std::chrono::milliseconds) override {
    emit(std::move(ev));
    return Result::kEmitted;
  }
  void idle() override {
    std::lock_guard lock(mu_);
    idle_after_ = events_.size();
    cv_.notify_all();
  }
  // Waits until the source said it was idle after emitting its `n`th event
  // (all events counted); false after `timeout`.
  bool wait_idle_after(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return idle_after_ >= n; });
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
  size_t idle_after_ = 0;  // events_.size() at the last idle()
  Source* acknowledge_ = nullptr;
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

// A Sink that keeps the first column of every data event's `after` (an
// int64 id) and the committed offset, in memory.
class IdSink : public Sink {
 public:
  std::optional<Offset> recover() override {
    std::lock_guard lock(mu_);
    return committed_;
  }
  std::optional<Offset> committed_offset() override { return recover(); }
  void commit(const std::vector<ChangeEvent>& batch, const Offset& next) override {
    std::lock_guard lock(mu_);
    for (const ChangeEvent& ev : batch) {
      if (IsDataOp(ev.op) && ev.after) ids_.push_back(ev.after->values.at(0).as<int64_t>());
    }
    committed_ = next;
  }
  std::vector<int64_t> ids() {
    std::lock_guard lock(mu_);
    return ids_;
  }

 private:
  std::mutex mu_;
  std::optional<Offset> committed_;
  std::vector<int64_t> ids_;
};

// A Pipeline from `source` to an IdSink (small batches, fast retries), run
// on a thread until the end of the scope (stop, drain, join) or a permanent
// failure.
class RunningPipeline {
 public:
  explicit RunningPipeline(std::unique_ptr<Source> source) {
    using namespace std::chrono_literals;
    auto sink = std::make_unique<IdSink>();
    sink_ = sink.get();
    pipeline_ = std::make_unique<Pipeline>("t", std::move(source), std::move(sink),
                                           BatchOptions{50, 1 << 20, 20ms, 4 << 20},
                                           RetryOptions{100ms, 1s});
    thread_ = std::thread([this] {
      try {
        pipeline_->run();
      } catch (const std::exception& e) {
        std::lock_guard lock(mu_);
        error_ = e.what();
      }
      done_ = true;
    });
  }
  ~RunningPipeline() { stop(); }
  void stop() {
    pipeline_->stop();
    if (thread_.joinable()) thread_.join();
  }
  bool done() const { return done_; }
  // What run() threw ("" while running or after a clean stop).
  std::string error() {
    std::lock_guard lock(mu_);
    return error_;
  }
  PipelineStatus status() const { return pipeline_->status(); }
  IdSink& sink() { return *sink_; }

 private:
  IdSink* sink_ = nullptr;
  std::unique_ptr<Pipeline> pipeline_;
  std::atomic<bool> done_{false};
  std::mutex mu_;
  std::string error_;
  std::thread thread_;
};

}  // namespace cdc::testing
