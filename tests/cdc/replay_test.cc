// RunReplay: records out byte for byte, exactly once across crashes at every
// commit, filters, renames, and the refusals that protect a target.
#include "cdc/replay.h"

#include <gtest/gtest.h>

#include "tests/cdc/memory_capture.h"

namespace cdc::testing {
namespace {

// Two tables, a delete with its tombstone, a heartbeat-like record.
std::vector<Record> Capture() {
  std::vector<Record> out;
  int64_t ts = 1'000'000;
  for (int i = 1; i <= 12; ++i) {
    ts += 1'000'000;
    out.push_back(Change(i % 3 ? "orders" : "items", 'c', i, "v" + std::to_string(i), ts,
                         "L" + std::to_string(i) + ":0"));
  }
  ts += 1'000'000;
  out.push_back(Change("orders", 'd', 1, "v1", ts, "L13:0"));
  out.push_back(Tombstone("orders", 1));
  out.push_back(Record{"heartbeats", "{\"serverName\":\"srv\"}", "{\"ts_ms\":5}", {}});
  out.push_back(Change("items", 'u', 3, "w3", ts + 1'000'000, "L14:0"));
  return out;
}

std::string Text(const Record& r) {
  std::string s = r.topic + "|" + r.key.value_or("<null>") + "|" + r.value.value_or("<null>");
  for (const Header& h : r.headers) s += "|" + h.name + "=" + h.value;
  return s;
}

std::vector<std::string> Texts(const std::vector<Record>& records) {
  std::vector<std::string> out;
  for (const Record& r : records) out.push_back(Text(r));
  return out;
}

CaptureOpener Opener(const std::vector<Record>& records, std::string name = "cap") {
  return [records, name] { return std::make_unique<MemoryCapture>(name, records); };
}

ReplayOptions Small() {
  ReplayOptions o;
  o.max_records = 3;
  o.max_retries = 3;
  o.initial_backoff = std::chrono::milliseconds(1);
  return o;
}

TEST(ReplayTest, PublishesEveryRecordVerbatimAndRecordsItsPosition) {
  const std::vector<Record> capture = Capture();
  ReplayTargetSink target;
  ReplayResult r = RunReplay(Opener(capture), target, Small(), nullptr, std::stop_token());
  EXPECT_TRUE(r.completed);
  EXPECT_FALSE(r.resumed);
  EXPECT_EQ(r.read, capture.size());
  EXPECT_EQ(r.written, capture.size());
  EXPECT_EQ(Texts(target.records), Texts(capture));
  ASSERT_TRUE(target.committed);
  EXPECT_EQ(target.committed->tx, "replay:replay");
  EXPECT_EQ(target.committed->index, capture.size());
  EXPECT_EQ(target.committed->state["replay"]["position"], capture.size());
  EXPECT_EQ(target.committed->state["replay"]["from"], "cap");

  // Again: nothing more to do, nothing written twice.
  const int commits = target.commits;
  r = RunReplay(Opener(capture), target, Small(), nullptr, std::stop_token());
  EXPECT_TRUE(r.resumed);
  EXPECT_TRUE(r.completed);
  EXPECT_EQ(target.records.size(), capture.size());
  EXPECT_EQ(target.commits, commits);
}

TEST(ReplayTest, ACrashAtAnyCommitResumesWithoutLossOrDuplicates) {
  const std::vector<Record> capture = Capture();
  for (int crash_at = 0; crash_at < 6; ++crash_at) {
    SCOPED_TRACE("crash before commit " + std::to_string(crash_at));
    ReplayTargetSink target;
    target.fail_after = crash_at;
    EXPECT_THROW(RunReplay(Opener(capture), target, Small(), nullptr, std::stop_token()), Error);
    ReplayResult r = RunReplay(Opener(capture), target, Small(), nullptr, std::stop_token());
    EXPECT_TRUE(r.completed);
    EXPECT_EQ(r.resumed, crash_at > 0);
    EXPECT_EQ(Texts(target.records), Texts(capture));
  }
}

TEST(ReplayTest, TransientFailuresAreRetriedFromTheCommittedPosition) {
  const std::vector<Record> capture = Capture();
  ReplayTargetSink target;
  target.fail_after = 2;
  target.transient = true;
  ReplayResult r = RunReplay(Opener(capture), target, Small(), nullptr, std::stop_token());
  EXPECT_TRUE(r.completed);
  EXPECT_EQ(Texts(target.records), Texts(capture));
}

TEST(ReplayTest, TableFilterKeepsTombstonesOfKeptDeletes) {
  const std::vector<Record> capture = Capture();
  ReplayOptions o = Small();
  o.tables = {"public.orders"};
  ReplayTargetSink target;
  RunReplay(Opener(capture), target, o, nullptr, std::stop_token());
  std::vector<Record> expected;
  for (const Record& r : capture) {
    if (r.topic == "srv.public.orders") expected.push_back(r);
  }
  EXPECT_EQ(Texts(target.records), Texts(expected));
  EXPECT_EQ(target.records.back().value, std::nullopt);  // the tombstone came along
}

TEST(ReplayTest, TimeWindowIsInclusive) {
  const std::vector<Record> capture = Capture();
  ReplayOptions o = Small();
  o.since_us = 3'000'000;  // L2
  o.until_us = 5'000'000;  // L4
  ReplayTargetSink target;
  RunReplay(Opener(capture), target, o, nullptr, std::stop_token());
  ASSERT_EQ(target.records.size(), 3u);
  EXPECT_EQ(target.records[0].headers[0].value, "L2:0");
  EXPECT_EQ(target.records[2].headers[0].value, "L4:0");
}

TEST(ReplayTest, RenamesThenPrefixesTopics) {
  ReplayOptions o = Small();
  o.topic_renames = {{"srv.public.orders", "orders_v2"}};
  o.topic_prefix = "restore.";
  ReplayTargetSink target;
  RunReplay(Opener(Capture()), target, o, nullptr, std::stop_token());
  EXPECT_EQ(target.records[0].topic, "restore.orders_v2");
  EXPECT_EQ(target.records[2].topic, "restore.srv.public.items");
}

TEST(ReplayTest, AFilterThatDropsEverythingStillCommitsItsPosition) {
  ReplayOptions o = Small();
  o.since_us = 1;
  o.until_us = 2;
  o.commit_every = std::chrono::milliseconds(0);
  ReplayTargetSink target;
  RunReplay(Opener(Capture()), target, o, nullptr, std::stop_token());
  EXPECT_TRUE(target.records.empty());
  ASSERT_TRUE(target.committed);
  EXPECT_EQ(target.committed->state["replay"]["read"], Capture().size());
  EXPECT_GT(target.commits, 1);
}

TEST(ReplayTest, AnUnknownTableWritesNothing) {
  ReplayOptions o = Small();
  o.tables = {"orders", "public.nope"};
  ReplayTargetSink target;
  try {
    RunReplay(Opener(Capture()), target, o, nullptr, std::stop_token());
    FAIL() << "no error";
  } catch (const CaptureError& e) {
    EXPECT_NE(std::string(e.what()).find("holds no change of table public.nope"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("db.public.items"), std::string::npos) << e.what();
  }
  EXPECT_EQ(target.commits, 0);
}

TEST(ReplayTest, RefusesTargetsHoldingSomethingElse) {
  ReplayTargetSink pipeline_output;
  pipeline_output.committed = Offset{"0/16B3748", 0, nullptr};
  EXPECT_THROW(RunReplay(Opener(Capture()), pipeline_output, Small(), nullptr, std::stop_token()),
               CaptureError);

  ReplayTargetSink target;
  RunReplay(Opener(Capture()), target, Small(), nullptr, std::stop_token());
  ReplayOptions other = Small();
  other.tables = {"orders"};
  EXPECT_THROW(RunReplay(Opener(Capture()), target, other, nullptr, std::stop_token()),
               CaptureError);
  EXPECT_THROW(RunReplay(Opener(Capture(), "another"), target, Small(), nullptr, std::stop_token()),
               CaptureError);
  ReplayOptions named = Small();
  named.name = "second";
  EXPECT_THROW(RunReplay(Opener(Capture()), target, named, nullptr, std::stop_token()),
               CaptureError);
}

TEST(ReplayTest, StopCommitsWhatWasReadAndResumes) {
  std::vector<Record> capture;
  for (int i = 0; i < 10000; ++i) {
    capture.push_back(Change("orders", 'c', i, "v", 1'000'000 + i, "L" + std::to_string(i) + ":0"));
  }
  ReplayTargetSink target;
  std::stop_source stop;
  ReplayOptions o = Small();
  o.max_records = 1000;
  // Progress comes every few thousand records: stop at the first report.
  ReplayResult r = RunReplay(
      Opener(capture), target, o, [&](const ReplayProgress&) { stop.request_stop(); },
      stop.get_token());
  EXPECT_FALSE(r.completed);
  EXPECT_GT(target.records.size(), 0u);
  EXPECT_LT(target.records.size(), capture.size());
  EXPECT_EQ(target.committed->state["replay"]["read"], r.read);  // all it read, committed

  r = RunReplay(Opener(capture), target, o, nullptr, std::stop_token());
  EXPECT_TRUE(r.completed);
  EXPECT_TRUE(r.resumed);
  EXPECT_EQ(Texts(target.records), Texts(capture));
}

}  // namespace
}  // namespace cdc::testing
