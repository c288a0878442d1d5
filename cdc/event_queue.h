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
//
// Hand-off cost: the consumer takes a whole batch under one lock, and a
// producer wakes it only when that batch can be taken (the first event, the
// batch's size reached, the producer blocked on a full queue, idle, or done),
// so a fast source does not pay a thread switch per event.
//
// Freeing committed events is a good part of the commit thread's work (a
// heap block per string value, made on the source's thread). When the
// producer is blocked on a full queue, the commit thread is the slower side
// and the producer has time: recycle() hands it the batch to destroy while
// it waits, so the producer frees what it allocated.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "cdc/source.h"

namespace cdc {

class EventQueue : public Emitter {
 public:
  explicit EventQueue(uint64_t capacity_bytes);

  bool emit(ChangeEvent&& ev) override;
  Result try_emit_for(ChangeEvent& ev, std::chrono::milliseconds timeout) override;
  // Until the next event, a batch being gathered is taken at once (when its
  // limits say cut_when_idle).
  void idle() override;

  struct BatchLimits {
    size_t max_events = 1;
    uint64_t max_bytes = UINT64_MAX;  // taken while below: the last event may cross it
    std::chrono::milliseconds linger{0};
    bool cut_when_idle = true;  // idle() ends the linger
    // ... but not before this point: idle cuts are spaced out (a full,
    // blocked or last batch is not held).
    std::chrono::steady_clock::time_point idle_cut_from{};
  };
  // Appends the oldest events to `out`: waits until `first_deadline` for the
  // first one (none: returns 0 at once when the queue is empty and the
  // producer finished), then up to `linger` longer for the batch to fill,
  // unless the producer is blocked, idle or done. Returns the bytes taken.
  uint64_t pop_batch(std::chrono::steady_clock::time_point first_deadline,
                     const BatchLimits& limits, std::vector<ChangeEvent>& out);

  // Takes `batch` (left empty) to be destroyed on the producer's thread if
  // the producer is blocked on a full queue and has no batch to destroy
  // yet; otherwise returns false and leaves it to the caller.
  bool recycle(std::vector<ChangeEvent>& batch);

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
  bool admits(size_t n) const { return count_ == 0 || bytes_ + n <= capacity_; }
  // Waits while the queue cannot take `n` bytes; false when closed.
  bool wait_for_room(std::unique_lock<std::mutex>& lock, size_t n,
                     std::optional<std::chrono::steady_clock::time_point> until, bool& timed_out);
  void push_locked(ChangeEvent&& ev, size_t n);
  // Whether the waiting consumer can take its batch now; `idle_counts`: an
  // idle producer makes it ready (if want_ says so).
  bool batch_ready(bool idle_counts = true) const;

  const uint64_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  // A ring of event slots, grown by doubling and never shrunk: a deque
  // allocates a node per event this large. Slots outside [head_, head_ +
  // count_) hold moved-from events.
  struct Slot {
    ChangeEvent ev;
    size_t bytes = 0;
  };
  std::vector<Slot> ring_;
  std::vector<ChangeEvent> recycled_;  // committed events the producer destroys
  size_t head_ = 0, count_ = 0;
  uint64_t bytes_ = 0;
  bool closed_ = false;
  bool producer_done_ = false;
  bool producer_blocked_ = false;
  bool producer_idle_ = false;  // idle() since the last event
  // What the consumer waits for: nothing, its first event, or a full batch.
  enum class Waiting { kNo, kFirst, kBatch } waiting_ = Waiting::kNo;
  BatchLimits want_;
};

}  // namespace cdc
