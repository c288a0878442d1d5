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

TEST(EventQueueTest, HoldsAtMostCapacityBytes) {
  size_t one = Ev(1).approx_bytes();
  EventQueue q(2 * one);
  ChangeEvent a = Ev(1), b = Ev(2), c = Ev(3);
  EXPECT_EQ(q.try_emit_for(a, 1ms), Emitter::Result::kEmitted);
  EXPECT_EQ(q.try_emit_for(b, 1ms), Emitter::Result::kEmitted);
  EXPECT_EQ(q.try_emit_for(c, 20ms), Emitter::Result::kTimedOut);
  EXPECT_EQ(c.id, "tx-3:0");  // left intact for the next try
  EXPECT_EQ(q.bytes(), 2 * one);
  ASSERT_TRUE(q.pop_until(std::chrono::steady_clock::now()));
  EXPECT_EQ(q.try_emit_for(c, 1ms), Emitter::Result::kEmitted);
}

TEST(EventQueueTest, BlockedProducerResumesWhenConsumerTakes) {
  EventQueue q(Ev(1).approx_bytes());
  ASSERT_TRUE(q.emit(Ev(1)));
  std::atomic<bool> second{false};
  std::thread producer([&] { second = q.emit(Ev(2)); });
  std::this_thread::sleep_for(30ms);
  EXPECT_FALSE(second.load());
  auto first = q.pop_until(std::chrono::steady_clock::now() + 1s);
  producer.join();
  EXPECT_TRUE(second.load());
  EXPECT_EQ(first->id, "tx-1:0");
  EXPECT_EQ(q.pop_until(std::chrono::steady_clock::now() + 1s)->id, "tx-2:0");
}

TEST(EventQueueTest, CloseRefusesProducersButKeepsQueuedEvents) {
  EventQueue q(1 << 20);
  ASSERT_TRUE(q.emit(Ev(1)));
  q.close();
  EXPECT_FALSE(q.emit(Ev(2)));
  q.producer_done();
  EXPECT_FALSE(q.drained());
  EXPECT_EQ(q.pop_until(std::chrono::steady_clock::now())->id, "tx-1:0");
  EXPECT_TRUE(q.drained());
  EXPECT_FALSE(q.pop_until(std::chrono::steady_clock::now() + 1s));  // no wait once drained
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

}  // namespace
}  // namespace cdc
