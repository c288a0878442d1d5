// Hot standby between two cdcd processes (`standby: true`) on one generator
// -> Kafka pipeline against the real broker: the second process stands by
// without fencing the active one (the Kafka sink's lease, a consumer group,
// decides); when the active one is SIGKILLed the standby takes over within
// 10 s and finishes the stream. A read_committed consumer sees every
// generated event exactly once, in order.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "sources/generator/generator_source.h"
#include "tests/e2e/permanent_fault_util.h"
#include "tests/sinks/kafka/kafka_test_util.h"
#include "tests/support/cdcd_http.h"
#include "tests/support/kill_restart.h"
#include "tests/support/process.h"

namespace cdc {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

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
  testing::CdcdRunDir a, b;
  a.write_config(Config(name, brokers));
  b.write_config(Config(name, brokers));

  testing::ChildProcess active(a.argv(), a.log());
  httplib::Client http_a("127.0.0.1", testing::WaitForHttpPort(a.log()));
  ASSERT_TRUE(testing::TimeToState(http_a, name, "running", 60s)) << a.log_text();
  testing::ChildProcess standby(b.argv(), b.log());
  httplib::Client http_b("127.0.0.1", testing::WaitForHttpPort(b.log()));
  ASSERT_TRUE(testing::TimeToState(http_b, name, "standby", 60s)) << b.log_text();

  // Exactly one delivers, and the standby does not fence the active one.
  const uint64_t before = testing::PipelineEntry(http_a, name)["events_committed"].get<uint64_t>();
  std::this_thread::sleep_for(3s);
  const nlohmann::json sa = testing::PipelineEntry(http_a, name),
                       sb = testing::PipelineEntry(http_b, name);
  EXPECT_EQ(sa["state"], "running") << sa.dump() << "\n" << a.log_text();
  EXPECT_GT(sa["events_committed"].get<uint64_t>(), before) << sa.dump();
  EXPECT_EQ(sb["state"], "standby") << sb.dump();
  EXPECT_EQ(sb["events_committed"].get<uint64_t>(), 0u) << sb.dump();

  active.signal(SIGKILL);
  EXPECT_EQ(active.wait(), 128 + SIGKILL);
  const std::optional<Clock::duration> took = testing::TimeToState(http_b, name, "running", 10s);
  ASSERT_TRUE(took) << "the standby did not take over within 10 s\n" << b.log_text();
  std::cout << "standby took over "
            << std::chrono::duration_cast<std::chrono::milliseconds>(*took).count()
            << " ms after the SIGKILL\n";
  int status = -1;
  ASSERT_TRUE(standby.wait_for(180s, status)) << b.log_text();
  EXPECT_EQ(status, 0) << b.log_text();

  testing::CollectingEmitter all;
  GeneratorSource(Settings(name)).run(std::nullopt, all, std::stop_token());
  std::vector<std::string> expected, got;
  for (const ChangeEvent& ev : all.events) expected.push_back(ev.id);
  for (const kafka::KafkaMessage& m : testing::ReadTopics(brokers, {name + ".public.orders"})) {
    got.push_back(m.header("cdcd.event_id").value_or("(none)"));
  }
  ASSERT_EQ(expected.size(), kEvents);
  testing::ExpectSameEventIds(got, expected);
}

}  // namespace
}  // namespace cdc
