// EventQueue: the byte-bounded hand-off between a source thread and the
// pipeline's commit thread. It is the source's Emitter.
//
// Invariants:
//  - the bytes held (sum of ChangeEvent::approx_bytes) never exceed the
//    capacity, except that one event larger than the capacity is admitted
//    into an empty queue, so no event can deadlock the pipeline;
//  - a producer blocks while the queue is full: this is backpressure, and it
//    is why a transaction of any size streams through in bounded memory;
//  - after close(), producers are refused (kStopping) and the consumer still
//    drains what was queued.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>

#include "cdc/source.h"

namespace cdc {

class EventQueue : public Emitter {
 public:
  explicit EventQueue(uint64_t capacity_bytes);

  bool emit(ChangeEvent&& ev) override;
  Result try_emit_for(ChangeEvent& ev, std::chrono::milliseconds timeout) override;

  // Takes the oldest event, waiting until `deadline`. nullopt on timeout, or
  // at once when the queue is empty and the producer finished.
  std::optional<ChangeEvent> pop_until(std::chrono::steady_clock::time_point deadline);

  // The producer will emit no more (it returned or threw).
  void producer_done();
  bool drained() const;  // producer done and nothing left
  // Refuse producers from now on (stop or failure); queued events stay.
  void close();
  // Drops everything and opens the queue again for a new producer.
  void reset();

  uint64_t bytes() const;
  size_t size() const;

 private:
  bool admits(size_t n) const { return queue_.empty() || bytes_ + n <= capacity_; }
  void push_locked(ChangeEvent&& ev, size_t n);

  const uint64_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<std::pair<ChangeEvent, size_t>> queue_;
  uint64_t bytes_ = 0;
  bool closed_ = false;
  bool producer_done_ = false;
};

}  // namespace cdc
