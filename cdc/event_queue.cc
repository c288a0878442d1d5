#include "cdc/event_queue.h"

namespace cdc {

EventQueue::EventQueue(uint64_t capacity_bytes) : capacity_(capacity_bytes) {}

void EventQueue::push_locked(ChangeEvent&& ev, size_t n) {
  queue_.emplace_back(std::move(ev), n);
  bytes_ += n;
  not_empty_.notify_one();
}

bool EventQueue::emit(ChangeEvent&& ev) {
  size_t n = ev.approx_bytes();
  std::unique_lock lock(mu_);
  not_full_.wait(lock, [&] { return closed_ || admits(n); });
  if (closed_) return false;
  push_locked(std::move(ev), n);
  return true;
}

Emitter::Result EventQueue::try_emit_for(ChangeEvent& ev, std::chrono::milliseconds timeout) {
  size_t n = ev.approx_bytes();
  std::unique_lock lock(mu_);
  if (!not_full_.wait_for(lock, timeout, [&] { return closed_ || admits(n); })) {
    return Result::kTimedOut;
  }
  if (closed_) return Result::kStopping;
  push_locked(std::move(ev), n);
  return Result::kEmitted;
}

std::optional<ChangeEvent> EventQueue::pop_until(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  if (!not_empty_.wait_until(lock, deadline, [&] { return !queue_.empty() || producer_done_; }) ||
      queue_.empty()) {
    return std::nullopt;
  }
  auto [ev, n] = std::move(queue_.front());
  queue_.pop_front();
  bytes_ -= n;
  not_full_.notify_all();
  return std::move(ev);
}

void EventQueue::producer_done() {
  std::lock_guard lock(mu_);
  producer_done_ = true;
  not_empty_.notify_all();
}

bool EventQueue::drained() const {
  std::lock_guard lock(mu_);
  return producer_done_ && queue_.empty();
}

void EventQueue::close() {
  std::lock_guard lock(mu_);
  closed_ = true;
  not_full_.notify_all();
}

void EventQueue::reset() {
  std::lock_guard lock(mu_);
  queue_.clear();
  bytes_ = 0;
  closed_ = false;
  producer_done_ = false;
}

uint64_t EventQueue::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

size_t EventQueue::size() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

}  // namespace cdc
