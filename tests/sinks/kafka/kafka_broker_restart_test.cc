// A broker crash and restart in the middle of a stream (real broker, the
// test's own so the shared one stays up): the pipeline retries with backoff
// and the topic ends up with every event exactly once, in order.
#include <gtest/gtest.h>

#include <thread>

#include "cdc/pipeline.h"
#include "sources/generator/generator_source.h"
#include "tests/sinks/kafka/kafka_test_util.h"
#include "tests/sinks/kafka/own_kafka_broker.h"

namespace cdc {
namespace {

using namespace std::chrono_literals;

constexpr uint64_t kEvents = 20000;

GeneratorSettings Settings(const std::string& pipeline) {
  GeneratorSettings s;
  s.server_name = pipeline;
  s.rate = 4000;
  s.tables = {"orders"};
  s.key_space = 200;
  s.tx_min = 1;
  s.tx_max = 10;
  s.seed = 5;
  s.limit = kEvents;
  return s;
}

template <typename Pred>
bool WaitFor(Pred pred, std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

TEST(KafkaBrokerRestartTest, NothingIsLostOrDoubledWhenTheBrokerCrashesAndComesBack) {
  // Only where the shared broker runs: the same machinery starts this one.
  CDCD_SERVICE_ENV_OR_SKIP(shared, "kafka", "CDCD_TEST_KAFKA_BROKERS");
  testing::OwnKafkaBroker broker;
  std::string error;
  ASSERT_TRUE(broker.start(error)) << error;

  const std::string tag = testing::UniqueTag();
  const std::string pipeline = "restart_" + tag;
  const std::string topic = "restart_" + tag;
  auto sink = testing::MakeKafkaTestSink("brokers: \"" + broker.brokers() +
                                             "\"\n"
                                             "topic: " +
                                             topic +
                                             "\n"
                                             "operation_timeout: 3s\n"
                                             "transaction_timeout: 3s\n"
                                             "properties: {reconnect.backoff.max.ms: 500}\n",
                                         testing::KafkaTestContext(pipeline));
  KafkaTransactionalSink* sink_view = sink.get();
  Pipeline p(pipeline, std::make_unique<GeneratorSource>(Settings(pipeline)), std::move(sink),
             BatchOptions{.max_events = 200, .linger = 5ms},
             RetryOptions{.initial_backoff = 200ms, .max_backoff = 2s});
  std::exception_ptr failure;
  std::thread runner([&] {
    try {
      p.run();
    } catch (...) {
      failure = std::current_exception();
    }
  });

  ASSERT_TRUE(WaitFor([&] { return p.status().events_committed >= 3000 || failure; }, 60s));
  broker.kill();
  std::this_thread::sleep_for(3s);
  broker.restart();

  bool ended = WaitFor(
      [&] {
        const PipelineState s = p.status().state;
        return s == PipelineState::kFinished || s == PipelineState::kFailed || failure;
      },
      180s);
  if (!ended) p.stop();
  runner.join();
  ASSERT_TRUE(ended) << "the pipeline did not finish after the restart: " << p.status().last_error;
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      FAIL() << "the pipeline failed: " << e.what();
    }
  }
  PipelineStatus status = p.status();
  KafkaSinkMetrics m = sink_view->kafka_metrics();
  std::cout << "pipeline retries: " << status.retries << ", sink aborts: " << m.aborts
            << ", commit retries: " << m.retries << "\n";

  testing::CollectingEmitter out;
  GeneratorSource(Settings(pipeline)).run(std::nullopt, out, std::stop_token());
  std::vector<std::string> got;
  for (const kafka::KafkaMessage& msg : testing::ReadTopics(broker.brokers(), {topic})) {
    if (msg.value) got.push_back(msg.header("cdcd.event_id").value_or("?"));
  }
  ASSERT_EQ(got.size(), out.events.size()) << "events lost or duplicated";
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i], out.events[i].id) << "first difference at event " << i;
  }
}

}  // namespace
}  // namespace cdc
