#include "cdc/event_queue.h"

#include <algorithm>

namespace cdc {

EventQueue::EventQueue(uint64_t capacity_bytes) : capacity_(capacity_bytes) {}

bool EventQueue::batch_ready(bool idle_counts) const {
  return count_ >= want_.max_events || bytes_ >= want_.max_bytes || producer_done_ ||
         producer_blocked_ || (idle_counts && producer_idle_ && want_.cut_when_idle);
}

void EventQueue::push_locked(ChangeEvent&& ev, size_t n) {
  if (count_ == ring_.size()) {
    std::vector<Slot> grown(std::max<size_t>(64, 2 * ring_.size()));
    for (size_t i = 0; i < count_; ++i) grown[i] = std::move(ring_[(head_ + i) % ring_.size()]);
    ring_ = std::move(grown);
    head_ = 0;
  }
  Slot& slot = ring_[(head_ + count_) % ring_.size()];
  slot.ev = std::move(ev);
  slot.bytes = n;
  ++count_;
  bytes_ += n;
  producer_idle_ = false;
  if (waiting_ == Waiting::kFirst || (waiting_ == Waiting::kBatch && batch_ready())) {
    not_empty_.notify_one();
  }
}

bool EventQueue::wait_for_room(std::unique_lock<std::mutex>& lock, size_t n,
                               std::optional<std::chrono::steady_clock::time_point> until,
                               bool& timed_out) {
  timed_out = false;
  if (closed_ || admits(n)) return !closed_;
  // A consumer gathering a batch takes what there is now instead of waiting
  // for more that cannot come.
  producer_blocked_ = true;
  if (waiting_ == Waiting::kBatch) not_empty_.notify_one();
  auto wake = [&] { return closed_ || admits(n) || !recycled_.empty(); };
  for (;;) {
    if (until) {
      timed_out = !not_full_.wait_until(lock, *until, wake);
    } else {
      not_full_.wait(lock, wake);
    }
    if (timed_out || recycled_.empty()) break;
    // A committed batch handed back: freed here, outside the lock, while
    // there is no room anyway.
    std::vector<ChangeEvent> done;
    done.swap(recycled_);
    lock.unlock();
    done.clear();
    lock.lock();
  }
  producer_blocked_ = false;
  return !closed_ && !timed_out;
}

bool EventQueue::recycle(std::vector<ChangeEvent>& batch) {
  std::lock_guard lock(mu_);
  if (!producer_blocked_ || !recycled_.empty() || closed_ || batch.empty()) return false;
  recycled_ = std::move(batch);
  batch.clear();
  not_full_.notify_one();
  return true;
}

bool EventQueue::emit(ChangeEvent&& ev) {
  const size_t n = ev.approx_bytes();
  std::unique_lock lock(mu_);
  bool timed_out = false;
  if (!wait_for_room(lock, n, std::nullopt, timed_out)) return false;
  push_locked(std::move(ev), n);
  return true;
}

Emitter::Result EventQueue::try_emit_for(ChangeEvent& ev, std::chrono::milliseconds timeout) {
  const size_t n = ev.approx_bytes();
  std::unique_lock lock(mu_);
  bool timed_out = false;
  if (!wait_for_room(lock, n, std::chrono::steady_clock::now() + timeout, timed_out)) {
    return timed_out ? Result::kTimedOut : Result::kStopping;
  }
  push_locked(std::move(ev), n);
  return Result::kEmitted;
}

uint64_t EventQueue::pop_batch(std::chrono::steady_clock::time_point first_deadline,
                               const BatchLimits& limits, std::vector<ChangeEvent>& out) {
  std::unique_lock lock(mu_);
  waiting_ = Waiting::kFirst;
  not_empty_.wait_until(lock, first_deadline, [&] { return count_ > 0 || producer_done_; });
  if (count_ == 0) {
    waiting_ = Waiting::kNo;
    return 0;
  }
  want_ = limits;
  waiting_ = Waiting::kBatch;
  const auto deadline = std::chrono::steady_clock::now() + limits.linger;
  not_empty_.wait_until(lock, std::min(limits.idle_cut_from, deadline),
                        [&] { return batch_ready(false); });
  not_empty_.wait_until(lock, deadline, [&] { return batch_ready(); });
  waiting_ = Waiting::kNo;
  // Count first, so `out` grows once: growing it by doubling would move
  // every event again, under the lock the producer waits on.
  uint64_t taken = 0;
  size_t count = 0;
  while (count < count_ && count < limits.max_events && taken < limits.max_bytes) {
    taken += ring_[(head_ + count) % ring_.size()].bytes;
    ++count;
  }
  out.reserve(out.size() + count);
  for (size_t i = 0; i < count; ++i) {
    out.push_back(std::move(ring_[head_].ev));
    head_ = (head_ + 1) % ring_.size();
  }
  count_ -= count;
  bytes_ -= taken;
  if (producer_blocked_) not_full_.notify_all();
  return taken;
}

void EventQueue::idle() {
  std::lock_guard lock(mu_);
  producer_idle_ = true;
  if (waiting_ == Waiting::kBatch) not_empty_.notify_one();
}

void EventQueue::producer_done() {
  // A batch handed back and not freed yet; declared first, so freed after
  // the lock is released.
  std::vector<ChangeEvent> done;
  std::lock_guard lock(mu_);
  done.swap(recycled_);
  producer_done_ = true;
  not_empty_.notify_all();
}

bool EventQueue::drained() const {
  std::lock_guard lock(mu_);
  return producer_done_ && count_ == 0;
}

void EventQueue::close() {
  std::lock_guard lock(mu_);
  closed_ = true;
  not_full_.notify_all();
}

void EventQueue::reset() {
  std::lock_guard lock(mu_);
  for (Slot& slot : ring_) slot.ev = ChangeEvent{};  // release what they hold
  recycled_.clear();
  head_ = count_ = 0;
  bytes_ = 0;
  closed_ = false;
  producer_done_ = false;
  producer_idle_ = false;
}

uint64_t EventQueue::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

size_t EventQueue::size() const {
  std::lock_guard lock(mu_);
  return count_;
}

}  // namespace cdc
