// Pipeline: batching, backpressure, commit-then-ack ordering, retry from the
// committed offset, and drain on stop. Uses in-memory sources and sinks that
// record exactly what they were asked to do.
#include "cdc/pipeline.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "cdc/error.h"
#include "tests/support/test_support.h"

namespace cdc {
namespace {

using namespace std::chrono_literals;
using testing::CustomerEvent;

// Emits events tx 1..n (one event per transaction) starting after `from`.
class CountingSource : public Source {
 public:
  explicit CountingSource(uint64_t n, std::chrono::milliseconds pause = 0ms)
      : n_(n), pause_(pause) {}

  void run(const std::optional<Offset>& from, Emitter& out, std::stop_token stop) override {
    uint64_t start = from ? std::stoull(from->tx.substr(3)) : 1;
    ++runs;
    started_from.push_back(start);
    for (uint64_t tx = start; tx <= n_ && !stop.stop_requested(); ++tx) {
      if (fail_at && tx == fail_at) {
        fail_at = 0;
        throw TransientError("source: connection lost at tx " + std::to_string(tx));
      }
      ChangeEvent ev = CustomerEvent(Op::kCreate, static_cast<int32_t>(tx), "n", tx, 0);
      ev.next = Offset{"tx-" + std::to_string(tx + 1), 0, nullptr};
      if (!out.emit(std::move(ev))) return;
      ++emitted;
      if (idle_after_each) out.idle();
      if (pause_ > 0ms) std::this_thread::sleep_for(pause_);
    }
  }
  void acknowledge(const Offset& committed) override {
    std::lock_guard lock(mu);
    acks.push_back(committed);
  }

  std::atomic<uint64_t> emitted{0};
  std::atomic<int> runs{0};
  uint64_t fail_at = 0;
  bool idle_after_each = false;  // says it is idle after every event
  std::vector<uint64_t> started_from;
  std::mutex mu;
  std::vector<Offset> acks;

 private:
  uint64_t n_;
  std::chrono::milliseconds pause_;
};

class MemorySink : public Sink {
 public:
  std::optional<Offset> recover() override {
    std::lock_guard lock(mu);
    ++recovers;
    return committed;
  }
  std::optional<Offset> committed_offset() override { return committed; }
  void commit(const std::vector<ChangeEvent>& batch, const Offset& next) override {
    std::lock_guard lock(mu);
    if (fail_next_commit) {
      fail_next_commit = false;
      throw TransientError("sink: broker unavailable");
    }
    if (block_commits) {
      mu.unlock();
      while (block_commits) std::this_thread::sleep_for(1ms);
      mu.lock();
    }
    batch_sizes.push_back(batch.size());
    for (const ChangeEvent& ev : batch) ids.push_back(ev.id);
    committed = next;
  }

  std::mutex mu;
  std::optional<Offset> committed;
  std::vector<size_t> batch_sizes;
  std::vector<std::string> ids;
  int recovers = 0;
  bool fail_next_commit = false;
  std::atomic<bool> block_commits{false};
};

std::vector<std::string> Ids(uint64_t from, uint64_t to) {
  std::vector<std::string> out;
  for (uint64_t tx = from; tx <= to; ++tx) out.push_back("tx-" + std::to_string(tx) + ":0");
  return out;
}

struct Harness {
  CountingSource* source;
  MemorySink* sink;
  std::unique_ptr<Pipeline> pipeline;
};

Harness Make(uint64_t n, BatchOptions batch, std::chrono::milliseconds pause = 0ms) {
  auto source = std::make_unique<CountingSource>(n, pause);
  auto sink = std::make_unique<MemorySink>();
  Harness h{source.get(), sink.get(), nullptr};
  h.pipeline = std::make_unique<Pipeline>("test", std::move(source), std::move(sink), batch,
                                          RetryOptions{1ms, 5ms});
  return h;
}

TEST(PipelineTest, DeliversEverythingInOrderCutByMaxEvents) {
  Harness h = Make(25, BatchOptions{10, 1 << 20, 1s, 1 << 20});
  h.pipeline->run();
  EXPECT_EQ(h.sink->ids, Ids(1, 25));
  EXPECT_EQ(h.sink->batch_sizes, (std::vector<size_t>{10, 10, 5}));
  EXPECT_EQ(h.sink->committed, (Offset{"tx-26", 0, nullptr}));
  EXPECT_EQ(h.pipeline->status().state, PipelineState::kFinished);
  EXPECT_EQ(h.pipeline->status().events_committed, 25u);
}

// What /metrics reports per pipeline: events per (table, op) and a histogram
// of the three commits.
TEST(PipelineTest, CountsEventsPerTableAndOpAndTimesEachCommit) {
  Harness h = Make(25, BatchOptions{10, 1 << 20, 1s, 1 << 20});
  h.pipeline->run();
  const PipelineStatus s = h.pipeline->status();
  const std::string table = CustomerEvent(Op::kCreate, 1, "n", 1, 0).source.table.qualified();
  EXPECT_EQ(s.events_by_table_op,
            (std::map<std::pair<std::string, std::string>, uint64_t>{{{table, "c"}, 25}}));
  uint64_t commits = 0;
  for (uint64_t n : s.commit_seconds_counts) commits += n;
  EXPECT_EQ(commits, 3u);
  EXPECT_GE(s.commit_seconds_sum, 0.0);
  EXPECT_EQ(s.last_error_us, 0);
}

TEST(PipelineTest, CutsBatchesByBytes) {
  size_t one = CustomerEvent(Op::kCreate, 1, "n", 1, 0).approx_bytes();
  // Room for three events: the batch closes once it reaches max_bytes.
  Harness h = Make(9, BatchOptions{1000, 3 * one, 1s, 1 << 20});
  h.pipeline->run();
  EXPECT_EQ(h.sink->batch_sizes, (std::vector<size_t>{3, 3, 3}));
}

TEST(PipelineTest, LingerClosesASlowBatch) {
  // One event every 30 ms and a linger of 5 ms: every batch holds one event.
  Harness h = Make(4, BatchOptions{1000, 1 << 20, 5ms, 1 << 20}, 30ms);
  h.pipeline->run();
  EXPECT_EQ(h.sink->batch_sizes, (std::vector<size_t>{1, 1, 1, 1}));
}

TEST(PipelineTest, AnIdleSourceIsCommittedWithoutLingering) {
  // One event every 30 ms and a linger of 10 s: without the hint, the four
  // would make one batch when the source ends; with it, each is committed
  // as soon as the source has nothing more.
  Harness h = Make(4, BatchOptions{1000, 1 << 20, 10s, 1 << 20}, 30ms);
  h.source->idle_after_each = true;
  h.pipeline->run();
  EXPECT_EQ(h.sink->batch_sizes, (std::vector<size_t>{1, 1, 1, 1}));

  // commit_when_idle: false waits out the linger (here: until the source ends).
  h = Make(4, BatchOptions{1000, 1 << 20, 10s, 1 << 20, false}, 30ms);
  h.source->idle_after_each = true;
  h.pipeline->run();
  EXPECT_EQ(h.sink->batch_sizes, (std::vector<size_t>{4}));
}

TEST(PipelineTest, AcknowledgesOnlyCommittedOffsetsAfterCommit) {
  Harness h = Make(30, BatchOptions{10, 1 << 20, 1s, 1 << 20});
  h.pipeline->run();
  std::vector<Offset> want = {{"tx-11", 0, nullptr}, {"tx-21", 0, nullptr}, {"tx-31", 0, nullptr}};
  EXPECT_EQ(h.source->acks, want);
}

TEST(PipelineTest, BackpressureHoldsTheSourceWhileTheSinkIsSlow) {
  size_t one = CustomerEvent(Op::kCreate, 1, "n", 1, 0).approx_bytes();
  // The queue holds 4 events; a batch takes at most 2.
  Harness h = Make(1000, BatchOptions{2, 1 << 20, 0ms, 4 * one});
  h.sink->block_commits = true;
  std::thread runner([&] { h.pipeline->run(); });
  std::this_thread::sleep_for(200ms);
  // Blocked in the first commit (2 events) with a full queue (4): the source
  // is held back at 6 emitted, or 7 while one emit is in flight.
  EXPECT_LE(h.source->emitted.load(), 7u);
  EXPECT_LE(h.pipeline->status().queue_bytes, 4 * one);
  h.sink->block_commits = false;
  runner.join();
  EXPECT_EQ(h.sink->ids.size(), 1000u);
}

TEST(PipelineTest, OversizedEventStillPassesThroughAnEmptyQueue) {
  Harness h = Make(3, BatchOptions{10, 1 << 20, 0ms, 1});  // 1-byte queue
  h.pipeline->run();
  EXPECT_EQ(h.sink->ids, Ids(1, 3));
}

TEST(PipelineTest, TransientSourceFailureResumesFromCommittedOffset) {
  Harness h = Make(20, BatchOptions{5, 1 << 20, 0ms, 1 << 20});
  h.source->fail_at = 13;
  h.pipeline->run();
  EXPECT_EQ(h.sink->ids, Ids(1, 20));  // exactly once, in order
  EXPECT_EQ(h.source->runs.load(), 2);
  EXPECT_EQ(h.sink->recovers, 2);
  // Events 11 and 12 may have been emitted but not committed: the second
  // run starts from the committed offset, not from where the source was.
  ASSERT_EQ(h.source->started_from.size(), 2u);
  EXPECT_LE(h.source->started_from[1], 13u);
  EXPECT_EQ(h.pipeline->status().retries, 1u);
}

TEST(PipelineTest, TransientSinkFailureRewindsTheSource) {
  // The sink already holds 1..20 and fails its next commit once.
  auto source = std::make_unique<CountingSource>(40);
  auto sink = std::make_unique<MemorySink>();
  sink->committed = Offset{"tx-21", 0, nullptr};
  sink->fail_next_commit = true;
  MemorySink* s = sink.get();
  Pipeline p("test", std::move(source), std::move(sink), BatchOptions{5, 1 << 20, 0ms, 1 << 20},
             RetryOptions{1ms, 5ms});
  p.run();
  EXPECT_EQ(s->ids, Ids(21, 40));
  EXPECT_EQ(s->recovers, 2);
}

TEST(PipelineTest, PermanentErrorStopsThePipelineWithTheCause) {
  class Broken : public Source {
   public:
    void run(const std::optional<Offset>&, Emitter&, std::stop_token) override {
      throw Error("slot cdcd_x was dropped: re-create it and re-snapshot");
    }
    void acknowledge(const Offset&) override {}
  };
  Pipeline p("test", std::make_unique<Broken>(), std::make_unique<MemorySink>(), BatchOptions{},
             RetryOptions{1ms, 5ms});
  EXPECT_THROW(p.run(), Error);
  EXPECT_EQ(p.status().state, PipelineState::kFailed);
  EXPECT_NE(p.status().last_error.find("slot cdcd_x was dropped"), std::string::npos);
  EXPECT_GT(p.status().last_error_us, 0);
}

// A sink whose lock another process holds until `release`.
class HeldSink : public MemorySink {
 public:
  std::optional<Offset> recover() override {
    if (!release) {
      ++refused;
      throw HeldElsewhereError("another cdcd process is writing /x (lock held on /x/.lock)");
    }
    return MemorySink::recover();
  }
  std::atomic<bool> release{false};
  std::atomic<int> refused{0};
};

TEST(PipelineTest, HeldElsewhereStopsAPipelineWithoutStandby) {
  auto sink = std::make_unique<HeldSink>();
  Pipeline p("test", std::make_unique<CountingSource>(5), std::move(sink), BatchOptions{},
             RetryOptions{1ms, 5ms});
  EXPECT_THROW(p.run(), HeldElsewhereError);
  EXPECT_EQ(p.status().state, PipelineState::kFailed);
  EXPECT_NE(p.status().last_error.find("another cdcd process is writing /x"), std::string::npos);
}

TEST(PipelineTest, StandbyWaitsWithoutRetriesUntilItHoldsThePipeline) {
  auto source = std::make_unique<CountingSource>(30);
  CountingSource* src = source.get();
  auto sink = std::make_unique<HeldSink>();
  HeldSink* s = sink.get();
  RetryOptions retry{1ms, 5ms};
  retry.standby = true;
  retry.standby_poll = 2ms;
  Pipeline p("test", std::move(source), std::move(sink), BatchOptions{5, 1 << 20, 0ms, 1 << 20},
             retry);
  std::thread runner([&] { p.run(); });
  while (s->refused < 5) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(p.status().state, PipelineState::kStandby);
  EXPECT_STREQ(StateName(PipelineState::kStandby), "standby");
  EXPECT_EQ(src->runs.load(), 0) << "a standby reads nothing";
  s->release = true;
  runner.join();
  EXPECT_EQ(p.status().state, PipelineState::kFinished);
  EXPECT_EQ(s->ids, Ids(1, 30));
  EXPECT_EQ(p.status().retries, 0u) << "standing by is no error";
  EXPECT_EQ(p.status().last_error, "");
}

TEST(PipelineTest, StandbyStopsPromptlyWhenAsked) {
  auto sink = std::make_unique<HeldSink>();
  RetryOptions retry{1ms, 5ms};
  retry.standby = true;
  retry.standby_poll = 10s;
  Pipeline p("test", std::make_unique<CountingSource>(5), std::move(sink), BatchOptions{}, retry);
  std::thread runner([&] { p.run(); });
  while (p.status().state != PipelineState::kStandby) std::this_thread::sleep_for(1ms);
  const auto t0 = std::chrono::steady_clock::now();
  p.stop();
  runner.join();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  EXPECT_EQ(p.status().state, PipelineState::kStopped);
}

TEST(PipelineTest, StopDrainsAndCommitsWhatWasEmitted) {
  Harness h = Make(1000000, BatchOptions{100, 1 << 20, 10ms, 1 << 20}, 0ms);
  std::thread runner([&] { h.pipeline->run(); });
  auto committed = [&] {
    std::lock_guard lock(h.sink->mu);
    return h.sink->ids.size();
  };
  while (committed() < 500) std::this_thread::sleep_for(1ms);
  h.pipeline->stop();
  runner.join();
  EXPECT_EQ(h.pipeline->status().state, PipelineState::kStopped);
  // Whatever the source managed to emit was committed; nothing was skipped.
  EXPECT_EQ(h.sink->ids, Ids(1, h.sink->ids.size()));
  EXPECT_EQ(h.sink->ids.size(), h.source->emitted.load());
}

}  // namespace
}  // namespace cdc
