#include "cdc/event_queue.h"

#include <gtest/gtest.h>

#include <thread>

#include "tests/support/test_support.h"

namespace cdc {
namespace {

using namespace std::chrono_literals;
using testing::CustomerEvent;

ChangeEvent Ev(uint64_t tx) {
  return CustomerEvent(Op::kCreate, 1, "x", tx, 0);
}

using Clock = std::chrono::steady_clock;

// The oldest event, waiting until `deadline`; nullopt when none came.
std::optional<ChangeEvent> PopOne(EventQueue& q, Clock::time_point deadline) {
  std::vector<ChangeEvent> out;
  if (q.pop_batch(deadline, {}, out) == 0) return std::nullopt;
  return std::move(out.at(0));
}

TEST(EventQueueTest, HoldsAtMostCapacityBytes) {
  size_t one = Ev(1).approx_bytes();
  EventQueue q(2 * one);
  ChangeEvent a = Ev(1), b = Ev(2), c = Ev(3);
  EXPECT_EQ(q.try_emit_for(a, 1ms), Emitter::Result::kEmitted);
  EXPECT_EQ(q.try_emit_for(b, 1ms), Emitter::Result::kEmitted);
  EXPECT_EQ(q.try_emit_for(c, 20ms), Emitter::Result::kTimedOut);
  EXPECT_EQ(c.id, "tx-3:0");  // left intact for the next try
  EXPECT_EQ(q.bytes(), 2 * one);
  ASSERT_TRUE(PopOne(q, Clock::now()));
  EXPECT_EQ(q.try_emit_for(c, 1ms), Emitter::Result::kEmitted);
}

TEST(EventQueueTest, BlockedProducerResumesWhenConsumerTakes) {
  EventQueue q(Ev(1).approx_bytes());
  ASSERT_TRUE(q.emit(Ev(1)));
  std::atomic<bool> second{false};
  std::thread producer([&] { second = q.emit(Ev(2)); });
  std::this_thread::sleep_for(30ms);
  EXPECT_FALSE(second.load());
  auto first = PopOne(q, Clock::now() + 1s);
  producer.join();
  EXPECT_TRUE(second.load());
  EXPECT_EQ(first->id, "tx-1:0");
  EXPECT_EQ(PopOne(q, Clock::now() + 1s)->id, "tx-2:0");
}

TEST(EventQueueTest, CloseRefusesProducersButKeepsQueuedEvents) {
  EventQueue q(1 << 20);
  ASSERT_TRUE(q.emit(Ev(1)));
  q.close();
  EXPECT_FALSE(q.emit(Ev(2)));
  q.producer_done();
  EXPECT_FALSE(q.drained());
  EXPECT_EQ(PopOne(q, Clock::now())->id, "tx-1:0");
  EXPECT_TRUE(q.drained());
  EXPECT_FALSE(PopOne(q, Clock::now() + 1s));  // no wait once drained
}

TEST(EventQueueTest, CloseWakesABlockedProducer) {
  EventQueue q(1);
  ASSERT_TRUE(q.emit(Ev(1)));
  std::thread closer([&] {
    std::this_thread::sleep_for(20ms);
    q.close();
  });
  EXPECT_FALSE(q.emit(Ev(2)));
  closer.join();
}

// A batch is taken whole under one lock, with the bytes it holds.
TEST(EventQueueTest, TakesABatchUpToItsLimits) {
  const size_t one = Ev(1).approx_bytes();
  EventQueue q(1 << 20);
  for (uint64_t tx = 1; tx <= 5; ++tx) ASSERT_TRUE(q.emit(Ev(tx)));
  std::vector<ChangeEvent> out;
  EXPECT_EQ(q.pop_batch(Clock::now(), {3, UINT64_MAX, 0ms}, out), 3 * one);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[2].id, "tx-3:0");
  // max_bytes: taken while below it, so the event that crosses it is in.
  EXPECT_EQ(q.pop_batch(Clock::now(), {10, one + 1, 0ms}, out), 2 * one);
  EXPECT_EQ(out.back().id, "tx-5:0");
  EXPECT_EQ(q.bytes(), 0u);
}

// The batch is counted before it is moved out, so the vector grows once
// (growing by doubling would move every event again, under the lock).
TEST(EventQueueTest, ABatchIsMovedOutInOneAllocation) {
  const size_t one = Ev(1).approx_bytes();
  EventQueue q(1 << 20);
  for (uint64_t tx = 1; tx <= 9; ++tx) ASSERT_TRUE(q.emit(Ev(tx)));
  std::vector<ChangeEvent> out;
  EXPECT_EQ(q.pop_batch(Clock::now(), {10, 4 * one + 1, 0ms}, out), 5 * one);
  EXPECT_EQ(out.size(), 5u);
  EXPECT_EQ(out.capacity(), 5u);
  EXPECT_EQ(q.pop_batch(Clock::now(), {3, UINT64_MAX, 0ms}, out), 3 * one);
  EXPECT_EQ(out.size(), 8u);
  EXPECT_EQ(out.capacity(), 8u);
  EXPECT_EQ(out.back().id, "tx-8:0");
  EXPECT_EQ(q.size(), 1u);
}

// After the first event the consumer waits up to `linger` for the batch to
// fill, and takes it as soon as it is full.
TEST(EventQueueTest, LingersForAFullBatchAndNoLonger) {
  EventQueue q(1 << 20);
  ASSERT_TRUE(q.emit(Ev(1)));
  std::vector<ChangeEvent> out;
  auto t0 = Clock::now();
  q.pop_batch(t0, {10, UINT64_MAX, 150ms}, out);
  EXPECT_GE(Clock::now() - t0, 140ms);
  EXPECT_EQ(out.size(), 1u);

  out.clear();
  ASSERT_TRUE(q.emit(Ev(2)));
  std::thread producer([&] {
    std::this_thread::sleep_for(20ms);
    for (uint64_t tx = 3; tx <= 4; ++tx) q.emit(Ev(tx));
  });
  t0 = Clock::now();
  q.pop_batch(t0, {3, UINT64_MAX, 10s}, out);
  producer.join();
  EXPECT_LT(Clock::now() - t0, 5s);
  EXPECT_EQ(out.size(), 3u);
}

// A producer blocked on a full queue (queue smaller than a batch) makes the
// lingering consumer take what there is, instead of both waiting.
TEST(EventQueueTest, ABlockedProducerCutsTheLinger) {
  const size_t one = Ev(1).approx_bytes();
  EventQueue q(2 * one);
  ASSERT_TRUE(q.emit(Ev(1)));
  std::thread producer([&] {
    for (uint64_t tx = 2; tx <= 4; ++tx) q.emit(Ev(tx));
    q.producer_done();
  });
  std::vector<ChangeEvent> out;
  const auto t0 = Clock::now();
  while (out.size() < 4 && Clock::now() - t0 < 5s) {
    q.pop_batch(Clock::now() + 1s, {100, UINT64_MAX, 10s}, out);
  }
  producer.join();
  EXPECT_LT(Clock::now() - t0, 5s);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[3].id, "tx-4:0");
  EXPECT_EQ(q.pop_batch(Clock::now() + 1s, {}, out), 0u);  // drained: no wait
}

// An idle producer (it emitted all it has) makes the lingering consumer take
// the batch at once; the next event ends that until the producer is idle
// again, so a busy producer's batches still fill.
TEST(EventQueueTest, AnIdleProducerCutsTheLingerUntilItsNextEvent) {
  EventQueue q(1 << 20);
  ASSERT_TRUE(q.emit(Ev(1)));
  ASSERT_TRUE(q.emit(Ev(2)));
  q.idle();
  std::vector<ChangeEvent> out;
  auto t0 = Clock::now();
  q.pop_batch(t0, {10, UINT64_MAX, 10s}, out);
  EXPECT_LT(Clock::now() - t0, 5s);
  EXPECT_EQ(out.size(), 2u);

  // Idle while the consumer waits for its batch: it wakes.
  out.clear();
  ASSERT_TRUE(q.emit(Ev(3)));
  std::thread producer([&] {
    std::this_thread::sleep_for(50ms);
    q.emit(Ev(4));
    q.idle();
  });
  t0 = Clock::now();
  q.pop_batch(t0, {10, UINT64_MAX, 10s}, out);
  producer.join();
  EXPECT_LT(Clock::now() - t0, 5s);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].id, "tx-4:0");

  // An event after idle(): the linger applies again.
  out.clear();
  q.idle();
  ASSERT_TRUE(q.emit(Ev(5)));
  t0 = Clock::now();
  q.pop_batch(t0, {10, UINT64_MAX, 150ms}, out);
  EXPECT_GE(Clock::now() - t0, 140ms);
  EXPECT_EQ(out.size(), 1u);
}

// Idle cuts are spaced out by idle_cut_from; a full batch is not held.
TEST(EventQueueTest, AnIdleCutWaitsForItsEarliestTime) {
  EventQueue q(1 << 20);
  ASSERT_TRUE(q.emit(Ev(1)));
  q.idle();
  std::vector<ChangeEvent> out;
  auto t0 = Clock::now();
  q.pop_batch(t0, {10, UINT64_MAX, 10s, true, t0 + 150ms}, out);
  EXPECT_GE(Clock::now() - t0, 140ms);
  EXPECT_LT(Clock::now() - t0, 5s);
  EXPECT_EQ(out.size(), 1u);

  // Events arriving meanwhile join the batch.
  out.clear();
  ASSERT_TRUE(q.emit(Ev(2)));
  std::thread producer([&] {
    std::this_thread::sleep_for(30ms);
    q.emit(Ev(3));
    q.idle();
  });
  t0 = Clock::now();
  q.pop_batch(t0, {10, UINT64_MAX, 10s, true, t0 + 150ms}, out);
  producer.join();
  EXPECT_GE(Clock::now() - t0, 140ms);
  EXPECT_EQ(out.size(), 2u);

  // A full batch goes at once.
  out.clear();
  ASSERT_TRUE(q.emit(Ev(4)));
  ASSERT_TRUE(q.emit(Ev(5)));
  q.idle();
  t0 = Clock::now();
  q.pop_batch(t0, {2, UINT64_MAX, 10s, true, t0 + 10s}, out);
  EXPECT_LT(Clock::now() - t0, 5s);
  EXPECT_EQ(out.size(), 2u);

  // An earliest time past the linger: the linger ends the wait.
  out.clear();
  ASSERT_TRUE(q.emit(Ev(6)));
  q.idle();
  t0 = Clock::now();
  q.pop_batch(t0, {10, UINT64_MAX, 100ms, true, t0 + 10s}, out);
  EXPECT_GE(Clock::now() - t0, 90ms);
  EXPECT_LT(Clock::now() - t0, 5s);
  EXPECT_EQ(out.size(), 1u);
}

// Records the thread that destroys it, as a committed event's offset state.
struct DestroyedOn : DeferredOffsetState {
  std::atomic<std::thread::id>* where;
  explicit DestroyedOn(std::atomic<std::thread::id>* w) : where(w) {}
  ~DestroyedOn() override { *where = std::this_thread::get_id(); }
  nlohmann::json build(const nlohmann::json&) const override { return nullptr; }
};

TEST(EventQueueTest, ABlockedProducerDestroysTheBatchesHandedBack) {
  std::atomic<std::thread::id> destroyed_on{};
  ChangeEvent first = Ev(1);
  first.next.deferred = std::make_shared<DestroyedOn>(&destroyed_on);
  EventQueue q(first.approx_bytes());
  ASSERT_TRUE(q.emit(std::move(first)));

  // Not blocked: the caller keeps the batch.
  std::vector<ChangeEvent> unblocked = {Ev(9)};
  EXPECT_FALSE(q.recycle(unblocked));
  EXPECT_EQ(unblocked.size(), 1u);

  std::thread::id producer_id;
  std::thread producer([&] {
    producer_id = std::this_thread::get_id();
    // Each blocks until the one before is taken: the queue holds one event.
    ASSERT_TRUE(q.emit(Ev(2)));
    ASSERT_TRUE(q.emit(Ev(3)));
    ASSERT_TRUE(q.emit(Ev(4)));  // waits here when recycle() hands tx-1 back
  });
  std::vector<ChangeEvent> batch;
  ASSERT_GT(q.pop_batch(Clock::now() + 1s, {}, batch), 0u);
  ASSERT_EQ(batch.at(0).id, "tx-1:0");
  ASSERT_EQ(PopOne(q, Clock::now() + 1s)->id, "tx-2:0");
  const auto until = Clock::now() + 2s;
  while (!q.recycle(batch) && Clock::now() < until) std::this_thread::sleep_for(1ms);
  EXPECT_TRUE(batch.empty());  // taken
  while (destroyed_on.load() == std::thread::id{} && Clock::now() < until) {
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_NE(destroyed_on.load(), std::this_thread::get_id());
  EXPECT_NE(destroyed_on.load(), std::thread::id{});
  EXPECT_EQ(PopOne(q, Clock::now() + 1s)->id, "tx-3:0");
  EXPECT_EQ(PopOne(q, Clock::now() + 1s)->id, "tx-4:0");
  producer.join();
  EXPECT_EQ(destroyed_on.load(), producer_id);
}

}  // namespace
}  // namespace cdc
