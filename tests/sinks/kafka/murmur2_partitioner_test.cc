// Keys are partitioned like the Java client does (murmur2, positive, modulo
// the partition count), so Kafka Streams and Flink jobs co-partition with
// cdcd's topics. The expected hashes are the Java client's own test vectors
// (org.apache.kafka.common.utils.UtilsTest.testMurmur2).
#include <gtest/gtest.h>

#include "tests/sinks/kafka/kafka_test_util.h"

namespace cdc {
namespace {

struct JavaVector {
  const char* key;
  int32_t murmur2;
};

constexpr JavaVector kJavaVectors[] = {
    {"21", -973932308},
    {"foobar", -790332482},
    {"a-little-bit-long-string", -985981536},
    {"a-little-bit-longer-string", -1486304829},
    {"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
    {"abc", 479470107},
};

// Utils.toPositive(murmur2(key)) % numPartitions, as in the Java client.
int32_t JavaPartition(int32_t hash, int32_t partitions) {
  return (hash & 0x7fffffff) % partitions;
}

TEST(Murmur2PartitionerTest, KeysLandOnTheJavaClientsPartitions) {
  CDCD_SERVICE_ENV_OR_SKIP(brokers, "kafka", "CDCD_TEST_KAFKA_BROKERS");
  const std::string tag = testing::UniqueTag();
  const std::string topic = "murmur_" + tag;
  constexpr int32_t kPartitions = 16;
  testing::CreateTestTopic(brokers, topic, kPartitions);

  auto sink = testing::MakeKafkaTestSink(
      "brokers: \"" + brokers + "\"\noffsets_topic: offsets_" + tag + "\ntopic: " + topic + "\n",
      testing::KafkaTestContext("murmur_" + tag, std::make_shared<testing::NameKeyFormat>()));
  ASSERT_EQ(sink->recover(), std::nullopt);
  std::vector<ChangeEvent> batch;
  for (const JavaVector& v : kJavaVectors) {
    batch.push_back(testing::CustomerEvent(Op::kCreate, static_cast<int>(batch.size()), v.key, 1,
                                           batch.size()));
  }
  sink->commit(batch, testing::KOffset("tx-1", batch.size()));

  std::vector<kafka::KafkaMessage> got = testing::ReadTopics(brokers, {topic});
  ASSERT_EQ(got.size(), std::size(kJavaVectors));
  std::set<int32_t> used;
  for (const kafka::KafkaMessage& m : got) {
    const JavaVector* v = nullptr;
    for (const JavaVector& c : kJavaVectors) {
      if (m.key == c.key) v = &c;
    }
    ASSERT_NE(v, nullptr) << "unexpected key " << m.key.value_or("<null>");
    EXPECT_EQ(m.partition, JavaPartition(v->murmur2, kPartitions)) << v->key;
    used.insert(m.partition);
  }
  EXPECT_GT(used.size(), 3u) << "the vectors should spread over several partitions";
}

}  // namespace
}  // namespace cdc
