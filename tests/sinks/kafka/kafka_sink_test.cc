// The Kafka sink against the real broker: what it publishes (topics, keys,
// values, headers, tombstones, control events), where its offsets live, and
// recovery from nothing but Kafka.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cdc/error.h"
#include "tests/sinks/kafka/kafka_test_util.h"

namespace cdc {
namespace {

using testing::CustomerEvent;
using testing::KafkaTestContext;
using testing::KOffset;
using testing::MakeKafkaTestSink;
using testing::ReadTopics;
using testing::UniqueTag;

struct ConfigDeleter {
  void operator()(rd_kafka_ConfigResource_t* c) const { rd_kafka_ConfigResource_destroy(c); }
};

// The value of topic config `name` as the broker reports it.
std::string TopicConfig(const std::string& brokers, const std::string& topic,
                        const std::string& name) {
  kafka::ClientPtr rk = kafka::NewClient(
      RD_KAFKA_PRODUCER, kafka::MakeConf({{"bootstrap.servers", brokers}}), "test admin");
  std::unique_ptr<rd_kafka_ConfigResource_t, ConfigDeleter> res(
      rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str()));
  kafka::QueuePtr q(rd_kafka_queue_new(rk.get()));
  rd_kafka_ConfigResource_t* list[] = {res.get()};
  rd_kafka_DescribeConfigs(rk.get(), list, 1, nullptr, q.get());
  kafka::EventPtr ev(rd_kafka_queue_poll(q.get(), 30000));
  if (!ev || rd_kafka_event_error(ev.get())) return "<no answer>";
  size_t n = 0;
  const rd_kafka_ConfigResource_t** out = rd_kafka_DescribeConfigs_result_resources(
      rd_kafka_event_DescribeConfigs_result(ev.get()), &n);
  for (size_t i = 0; i < n; ++i) {
    size_t cnt = 0;
    const rd_kafka_ConfigEntry_t** entries = rd_kafka_ConfigResource_configs(out[i], &cnt);
    for (size_t j = 0; j < cnt; ++j) {
      if (name == rd_kafka_ConfigEntry_name(entries[j])) {
        const char* v = rd_kafka_ConfigEntry_value(entries[j]);
        return v ? v : "";
      }
    }
  }
  return "<missing>";
}

class KafkaSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto b = testing::ServiceEnv("kafka", "CDCD_TEST_KAFKA_BROKERS");
    if (!b) {
      if (testing::ServicesRequired()) FAIL() << "service kafka is not running";
      GTEST_SKIP()
          << "service kafka is not running; start it with tests/services/svc start kafka DIR";
    }
    brokers_ = *b;
    tag_ = UniqueTag();
    pipeline_ = "app_" + tag_;
    offsets_ = "offsets_" + tag_;
  }

  // The sink block for this test's pipeline; `extra` adds lines.
  std::string Yaml(const std::string& extra = "") const {
    return "brokers: \"" + brokers_ + "\"\noffsets_topic: " + offsets_ + "\n" + extra;
  }

  std::string brokers_, tag_, pipeline_, offsets_;
};

TEST_F(KafkaSinkTest, PublishesRecordsKeysHeadersAndTombstonesAndRecoversTheOffset) {
  const std::string topic = "t_" + tag_;
  auto sink = MakeKafkaTestSink(Yaml("topic: " + topic), KafkaTestContext(pipeline_));
  EXPECT_EQ(sink->recover(), std::nullopt);
  EXPECT_EQ(TopicConfig(brokers_, offsets_, "cleanup.policy"), "compact");

  std::vector<ChangeEvent> batch = {
      CustomerEvent(Op::kCreate, 1, "a", 7, 0), CustomerEvent(Op::kUpdate, 1, "b", 7, 1),
      CustomerEvent(Op::kDelete, 2, "c", 7, 2), CustomerEvent(Op::kCreate, 3, "d", 8, 0)};
  sink->commit(batch, KOffset("tx-8", 1));

  std::vector<kafka::KafkaMessage> got = ReadTopics(brokers_, {topic});
  ASSERT_EQ(got.size(), 5u);  // four events and the delete's tombstone
  const char* ids[] = {"tx-7:0", "tx-7:1", "tx-7:2", "tx-7:2", "tx-8:0"};
  const char* ops[] = {"c", "u", "d", "d", "c"};
  const char* keys[] = {"{\"id\":1}", "{\"id\":1}", "{\"id\":2}", "{\"id\":2}", "{\"id\":3}"};
  for (size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(got[i].topic, topic);
    EXPECT_EQ(got[i].key, keys[i]);
    EXPECT_EQ(got[i].header("cdcd.event_id"), ids[i]);
    EXPECT_EQ(got[i].header("cdcd.op"), ops[i]);
    EXPECT_EQ(got[i].header("cdcd.source_ts_ms"),
              std::to_string(1'700'000'000'000 + (i < 4 ? 7 : 8)));
  }
  EXPECT_EQ(got[0].value, "{\"op\":\"c\",\"id\":1}");
  EXPECT_EQ(got[2].value, "{\"op\":\"d\",\"id\":2}");
  EXPECT_EQ(got[3].value, std::nullopt) << "the tombstone follows the delete";

  // The offset record: keyed by the pipeline, in the offsets topic.
  std::vector<kafka::KafkaMessage> offsets = ReadTopics(brokers_, {offsets_});
  ASSERT_EQ(offsets.size(), 1u);
  EXPECT_EQ(offsets[0].key, pipeline_);
  nlohmann::json rec = nlohmann::json::parse(*offsets[0].value);
  EXPECT_EQ(rec["offset"], KOffset("tx-8", 1).to_json());
  EXPECT_EQ(rec["records"], 5);
  EXPECT_EQ(rec["transactional_id"], "cdcd-" + pipeline_);
  EXPECT_TRUE(rec["committed_at"].is_string());

  EXPECT_EQ(sink->recover(), KOffset("tx-8", 1));
  EXPECT_EQ(sink->committed_offset(), KOffset("tx-8", 1));
  KafkaSinkMetrics m = sink->kafka_metrics();
  EXPECT_EQ(m.records, 5u);
  EXPECT_EQ(m.transactions, 1u);
  EXPECT_GT(m.bytes, 0u);
  EXPECT_GT(m.last_commit_ms, 0.0);
  EXPECT_EQ(m.aborts, 0u);

  // Nothing local: a new instance (an empty disk) recovers from Kafka alone.
  sink.reset();
  auto fresh = MakeKafkaTestSink(Yaml("topic: " + topic), KafkaTestContext(pipeline_));
  EXPECT_EQ(fresh->committed_offset(), KOffset("tx-8", 1));
  EXPECT_EQ(fresh->recover(), KOffset("tx-8", 1));
  fresh->commit({CustomerEvent(Op::kCreate, 4, "e", 9, 0)}, KOffset("tx-9", 1));
  EXPECT_EQ(ReadTopics(brokers_, {topic}).size(), 6u);
  EXPECT_EQ(fresh->recover(), KOffset("tx-9", 1));
}

TEST_F(KafkaSinkTest, AtLeastOnceProducesWithoutTransactionsAndTheOffsetLast) {
  const std::string topic = "alo_" + tag_;
  const std::string yaml = Yaml("topic: " + topic + "\ndelivery: at_least_once");
  auto sink = MakeKafkaTestSink(yaml, KafkaTestContext(pipeline_));
  EXPECT_EQ(sink->recover(), std::nullopt);
  sink->commit({CustomerEvent(Op::kCreate, 1, "a", 7, 0), CustomerEvent(Op::kCreate, 2, "b", 7, 1)},
               KOffset("tx-7", 2));
  sink->commit({CustomerEvent(Op::kCreate, 3, "c", 8, 0)}, KOffset("tx-8", 1));
  std::vector<kafka::KafkaMessage> got = ReadTopics(brokers_, {topic});
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(ReadTopics(brokers_, {topic}, /*committed=*/false).size(), 3u);
  // A transaction's commit marker takes an offset of its own; plain
  // records follow each other without one.
  EXPECT_EQ(got[0].offset, 0);
  EXPECT_EQ(got[2].offset, 2) << "no transaction marker between the two commits";
  EXPECT_EQ(got[2].header("cdcd.event_id"), "tx-8:0");
  EXPECT_EQ(sink->recover(), KOffset("tx-8", 1));
  EXPECT_EQ(sink->kafka_metrics().records, 3u);
  sink.reset();
  auto fresh = MakeKafkaTestSink(yaml, KafkaTestContext(pipeline_));
  EXPECT_EQ(fresh->recover(), KOffset("tx-8", 1));
}

TEST_F(KafkaSinkTest, RoutesByTemplateOverridesAndControlTopics) {
  const std::string prefix = "r_" + tag_;
  auto sink = MakeKafkaTestSink(Yaml("topic_prefix: " + prefix +
                                     "\n"
                                     "topic: \"{prefix}.{database}.{schema}.{table}.x\"\n"
                                     "transaction_metadata: true\n"),
                                KafkaTestContext(pipeline_, nullptr, /*tombstones=*/false));
  ASSERT_EQ(sink->recover(), std::nullopt);

  ChangeEvent begin;
  begin.id = "tx-1:b";
  begin.op = Op::kTxBegin;
  begin.next = KOffset("tx-1", 0);
  ChangeEvent heartbeat;
  heartbeat.id = "hb-1";
  heartbeat.op = Op::kHeartbeat;
  heartbeat.next = KOffset("tx-1", 2);
  sink->commit({begin, CustomerEvent(Op::kDelete, 5, "x", 1, 0), heartbeat}, KOffset("tx-1", 2));

  auto data = ReadTopics(brokers_, {prefix + ".inventory.public.customers.x"});
  ASSERT_EQ(data.size(), 1u) << "tombstones: false -- no tombstone";
  EXPECT_EQ(data[0].header("cdcd.op"), "d");
  auto tx = ReadTopics(brokers_, {prefix + ".transaction"});
  ASSERT_EQ(tx.size(), 1u);
  EXPECT_EQ(tx[0].header("cdcd.event_id"), "tx-1:b");
  auto hb = ReadTopics(brokers_, {"__cdcd_heartbeat." + prefix});
  ASSERT_EQ(hb.size(), 1u);
  EXPECT_EQ(hb[0].header("cdcd.op"), OpName(Op::kHeartbeat));

  // A per-table override wins over the template.
  auto over = MakeKafkaTestSink(
      Yaml("topic: \"unused.{table}\"\ntopics: {inventory.public.customers: o_" + tag_ + "}\n"),
      KafkaTestContext(pipeline_ + "_o"));
  ASSERT_EQ(over->recover(), std::nullopt);
  over->commit({CustomerEvent(Op::kCreate, 6, "y", 2, 0)}, KOffset("tx-2", 1));
  EXPECT_EQ(ReadTopics(brokers_, {"o_" + tag_}).size(), 1u);
}

TEST_F(KafkaSinkTest, EmptyBatchCommitsOnlyTheOffsetAndPipelinesShareTheOffsetsTopic) {
  auto a = MakeKafkaTestSink(Yaml("topic: a_" + tag_), KafkaTestContext(pipeline_ + "_a"));
  auto b = MakeKafkaTestSink(Yaml("topic: b_" + tag_), KafkaTestContext(pipeline_ + "_b"));
  ASSERT_EQ(a->recover(), std::nullopt);
  ASSERT_EQ(b->recover(), std::nullopt);
  a->commit({}, KOffset("a", 1));
  b->commit({CustomerEvent(Op::kCreate, 1, "n", 3, 0)}, KOffset("b", 1));
  a->commit({}, KOffset("a", 2));
  EXPECT_EQ(a->recover(), KOffset("a", 2));
  EXPECT_EQ(b->recover(), KOffset("b", 1));
  EXPECT_EQ(ReadTopics(brokers_, {"a_" + tag_}).size(), 0u);
  EXPECT_EQ(ReadTopics(brokers_, {offsets_}).size(), 3u);
}

TEST_F(KafkaSinkTest, BatchesLargerThanLibrdkafkasQueueWaitInsteadOfDropping) {
  const std::string topic = "q_" + tag_;
  auto sink = MakeKafkaTestSink(
      Yaml("topic: " + topic + "\nproperties: {queue.buffering.max.messages: 50}\n"),
      KafkaTestContext(pipeline_));
  ASSERT_EQ(sink->recover(), std::nullopt);
  std::vector<ChangeEvent> batch;
  for (int i = 0; i < 2000; ++i) batch.push_back(CustomerEvent(Op::kCreate, i, "q", 1, i));
  sink->commit(batch, KOffset("tx-1", 2000));
  EXPECT_GT(sink->kafka_metrics().queue_full_waits, 0u);
  std::vector<kafka::KafkaMessage> got = ReadTopics(brokers_, {topic});
  ASSERT_EQ(got.size(), 2000u);
  for (int i = 0; i < 2000; ++i) {
    ASSERT_EQ(got[i].header("cdcd.event_id"), "tx-1:" + std::to_string(i));
  }
}

TEST_F(KafkaSinkTest, RecordTooLargeStopsThePipelineInsteadOfRetryingForever) {
  auto sink =
      MakeKafkaTestSink(Yaml("topic: big_" + tag_ + "\nproperties: {message.max.bytes: 1000}\n"),
                        KafkaTestContext(pipeline_, std::make_shared<testing::NameKeyFormat>()));
  ASSERT_EQ(sink->recover(), std::nullopt);
  try {
    sink->commit({CustomerEvent(Op::kCreate, 1, std::string(5000, 'x'), 1, 0)}, KOffset("tx", 1));
    FAIL() << "commit succeeded";
  } catch (const TransientError& e) {
    FAIL() << "a transient error would be retried forever: " << e.what();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("MSG_SIZE_TOO_LARGE"), std::string::npos) << e.what();
  }
  EXPECT_EQ(sink->recover(), std::nullopt);
}

// An empty key or value is published as empty, not as a null key or a
// tombstone (the sink renders into buffers that hold nothing for them).
TEST_F(KafkaSinkTest, EmptyKeyAndValueStayEmpty) {
  const std::string topic = "empty_" + tag_;
  auto sink =
      MakeKafkaTestSink(Yaml("topic: " + topic),
                        KafkaTestContext(pipeline_, std::make_shared<testing::NameKeyFormat>(),
                                         /*tombstones=*/false));
  ASSERT_EQ(sink->recover(), std::nullopt);
  sink->commit({CustomerEvent(Op::kCreate, 1, "", 1, 0), CustomerEvent(Op::kCreate, 2, "x", 1, 1)},
               KOffset("tx", 2));
  std::vector<kafka::KafkaMessage> got = ReadTopics(brokers_, {topic});
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].key, std::optional<std::string>(""));
  EXPECT_EQ(got[0].value, std::optional<std::string>(""));
  EXPECT_EQ(got[1].key, std::optional<std::string>("x"));
  EXPECT_EQ(got[1].value, std::optional<std::string>("x"));
}

// An offset record of another format version (a downgrade after a newer
// cdcd committed) is refused, naming where it is, instead of misread.
TEST_F(KafkaSinkTest, OffsetRecordOfAnotherFormatVersionIsRefused) {
  auto sink = MakeKafkaTestSink(Yaml("topic: v_" + tag_), KafkaTestContext(pipeline_));
  ASSERT_EQ(sink->recover(), std::nullopt);
  sink->commit({}, KOffset("tx", 1));
  ASSERT_EQ(sink->recover(), KOffset("tx", 1));

  kafka::ClientPtr producer = kafka::NewClient(
      RD_KAFKA_PRODUCER, kafka::MakeConf({{"bootstrap.servers", brokers_}}), "test producer");
  const std::string value =
      R"({"pipeline":")" + pipeline_ + R"(","offset":{"tx":"tx","index":9},"version":2})";
  ASSERT_EQ(rd_kafka_producev(producer.get(), RD_KAFKA_V_TOPIC(offsets_.c_str()),
                              RD_KAFKA_V_KEY(pipeline_.data(), pipeline_.size()),
                              RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
            RD_KAFKA_RESP_ERR_NO_ERROR);
  ASSERT_EQ(rd_kafka_flush(producer.get(), 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
  try {
    sink->recover();
    FAIL() << "a version 2 record was read";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("offsets topic " + offsets_ +
                                         " [0] at offset 2: the "
                                         "record for pipeline " +
                                         pipeline_ + " has format version 2"),
              std::string::npos)
        << e.what();
  }
}

// No service needed: nothing listens on port 1.
TEST(KafkaSinkUnreachableTest, RecoverWithoutABrokerIsATransientError) {
  auto sink = MakeKafkaTestSink("brokers: \"127.0.0.1:1\"\noperation_timeout: 1s\n",
                                KafkaTestContext("unreachable"));
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_THROW(sink->recover(), TransientError);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  EXPECT_THROW(sink->commit({}, KOffset("x", 1)), Error) << "commit needs a recover() first";
}

}  // namespace
}  // namespace cdc
