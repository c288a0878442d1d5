// Hot standby between two cdcd processes (`standby: true`) on one generator
// -> Kafka pipeline against the real broker: the second process stands by
// without fencing the active one (the Kafka sink's lease, a consumer group,
// decides); when the active one is SIGKILLed the standby takes over within
// 10 s and finishes the stream. A read_committed consumer sees every
// generated event exactly once, in order.
#include <gtest/gtest.h>

#include "tests/e2e/standby_pair.h"
#include "tests/sinks/kafka/kafka_test_util.h"

namespace cdc {
namespace {

using namespace std::chrono_literals;

constexpr uint64_t kEvents = 40000;
constexpr int kRate = 2500;  // ~16 s for the whole stream

GeneratorSettings Settings(const std::string& name) {
  GeneratorSettings s;
  s.server_name = name;
  s.tables = {"orders"};
  s.key_space = 200;
  s.tx_min = 1;
  s.tx_max = 10;
  s.seed = 12;
  s.limit = kEvents;
  return s;
}

std::string Config(const std::string& name, const std::string& brokers) {
  return "pipelines:\n"
         "  - name: " +
         name +
         "\n"
         "    standby: true\n"
         "    source: {type: generator, rate: " +
         std::to_string(kRate) +
         ", tables: [orders], key_space: 200,\n"
         "             transaction_size: {min: 1, max: 10}, seed: 12, limit: " +
         std::to_string(kEvents) +
         "}\n"
         "    sink: {type: kafka, brokers: \"" +
         brokers + "\", offsets_topic: " + name +
         "_offsets}\n"
         "    format: {envelope: debezium, schemas: false, tombstones: false}\n"
         "    batch: {linger: 20ms}\n"
         "    retry: {initial_backoff: 100ms, max_backoff: 1s}\n"
         "http: {listen: \"127.0.0.1:0\"}\n";
}

TEST(StandbyKafkaTest, SecondProcessStandsByAndTakesOverWithinTenSeconds) {
  CDCD_SERVICE_ENV_OR_SKIP(brokers, "kafka", "CDCD_TEST_KAFKA_BROKERS");
  const std::string name = "sb_" + testing::UniqueTag();
  ASSERT_NO_FATAL_FAILURE(
      testing::RunStandbyPair(Config(name, brokers), name, {60s, 3000ms, 180s}));
  std::vector<std::string> got;
  for (const kafka::KafkaMessage& m : testing::ReadTopics(brokers, {name + ".public.orders"})) {
    got.push_back(m.header("cdcd.event_id").value_or("(none)"));
  }
  const std::vector<std::string> expected = testing::GeneratedIds(Settings(name));
  ASSERT_EQ(expected.size(), kEvents);
  testing::ExpectSameEventIds(got, expected);
}

}  // namespace
}  // namespace cdc
