// Split-brain protection on the real broker: a second instance of the same
// pipeline fences the first through init_transactions, and the first stops
// with an error that says so instead of writing on.
#include <gtest/gtest.h>

#include "cdc/error.h"
#include "tests/sinks/kafka/kafka_test_util.h"

namespace cdc {
namespace {

using testing::CustomerEvent;
using testing::KafkaTestContext;
using testing::KOffset;
using testing::MakeKafkaTestSink;

TEST(KafkaFencingTest, ASecondInstanceFencesTheFirstWhichStopsWithAClearError) {
  CDCD_SERVICE_ENV_OR_SKIP(brokers, "kafka", "CDCD_TEST_KAFKA_BROKERS");
  const std::string tag = testing::UniqueTag();
  const std::string pipeline = "fence_" + tag;
  const std::string yaml = "brokers: \"" + brokers + "\"\noffsets_topic: offsets_" + tag +
                           "\ntopic: fence_" + tag + "\n";

  auto first = MakeKafkaTestSink(yaml, KafkaTestContext(pipeline));
  ASSERT_EQ(first->recover(), std::nullopt);
  first->commit({CustomerEvent(Op::kCreate, 1, "a", 1, 0)}, KOffset("tx-1", 1));

  auto second = MakeKafkaTestSink(yaml, KafkaTestContext(pipeline));
  ASSERT_EQ(second->recover(), KOffset("tx-1", 1));

  try {
    first->commit({CustomerEvent(Op::kCreate, 2, "b", 2, 0)}, KOffset("tx-2", 1));
    FAIL() << "the fenced instance committed";
  } catch (const TransientError& e) {
    FAIL() << "fencing must stop the pipeline, not retry it: " << e.what();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("another cdcd instance took over pipeline " + pipeline),
              std::string::npos)
        << e.what();
  }

  // Reading offsets takes no ownership: the second instance keeps working.
  auto reader = MakeKafkaTestSink(yaml, KafkaTestContext(pipeline));
  EXPECT_EQ(reader->committed_offset(), KOffset("tx-1", 1));
  second->commit({CustomerEvent(Op::kCreate, 3, "c", 3, 0)}, KOffset("tx-3", 1));
  EXPECT_EQ(reader->committed_offset(), KOffset("tx-3", 1));

  std::vector<kafka::KafkaMessage> got = testing::ReadTopics(brokers, {"fence_" + tag});
  ASSERT_EQ(got.size(), 2u) << "the fenced instance's record must not be visible";
  EXPECT_EQ(got[0].header("cdcd.event_id"), "tx-1:0");
  EXPECT_EQ(got[1].header("cdcd.event_id"), "tx-3:0");
}

// The broker refuses one record of a transaction whose other records it
// already holds: the sink aborts, and read_committed consumers never see them.
TEST(KafkaAbortTest, RecordsOfAnAbortedTransactionAreInvisible) {
  CDCD_SERVICE_ENV_OR_SKIP(brokers, "kafka", "CDCD_TEST_KAFKA_BROKERS");
  const std::string tag = testing::UniqueTag();
  const std::string small = "small_" + tag, big = "big_" + tag;
  // Only the topic limits the size: librdkafka sends the record, the broker
  // refuses it. The broker refuses a whole partition's batch, so the records
  // that fit spread over 8 partitions, most of them away from the big one.
  testing::CreateTestTopic(brokers, small, 8, {{"max.message.bytes", "2000"}});
  auto sink = MakeKafkaTestSink(
      "brokers: \"" + brokers + "\"\noffsets_topic: offsets_" + tag +
          "\ntopics: {inventory.public.customers: " + small + "}\n",
      KafkaTestContext("abort_" + tag, std::make_shared<testing::NameKeyFormat>()));
  ASSERT_EQ(sink->recover(), std::nullopt);
  sink->commit({CustomerEvent(Op::kCreate, 1, "ok", 1, 0)}, KOffset("tx-1", 1));

  std::vector<ChangeEvent> batch;
  for (int i = 0; i < 20; ++i) {
    batch.push_back(CustomerEvent(Op::kCreate, i, "fits-" + std::to_string(i), 2, i));
  }
  batch.push_back(CustomerEvent(Op::kCreate, 99, std::string(10000, 'x'), 2, 20));
  EXPECT_THROW(sink->commit(batch, KOffset("tx-2", 21)), Error);
  EXPECT_EQ(sink->kafka_metrics().aborts, 1u);

  // read_uncommitted: records that fit reached the log...
  EXPECT_GT(testing::ReadTopics(brokers, {small}, /*committed=*/false).size(), 1u);
  // ...but they belong to an aborted transaction.
  std::vector<kafka::KafkaMessage> committed = testing::ReadTopics(brokers, {small});
  ASSERT_EQ(committed.size(), 1u);
  EXPECT_EQ(committed[0].value, "ok");
  EXPECT_EQ(sink->recover(), KOffset("tx-1", 1));
}

}  // namespace
}  // namespace cdc
