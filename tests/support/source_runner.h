// Running a Source in a test: an Emitter that collects events and lets the
// test wait for them, and a thread that runs source.run() until stopped.
// Header-only (test directories glob their *.cc files).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cdc/source.h"

namespace cdc::testing {

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

}  // namespace cdc::testing
