// `cdcd replay` into and out of the real Kafka broker: a file capture
// replayed into Kafka while cdcd is SIGKILLed again and again reaches a
// read_committed consumer exactly once, in order, byte for byte; the topics
// replayed back into files give the capture's records again; and `cdcd
// state` computes the same state from the topic as from the files.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>

#include "sinks/file/record_line.h"
#include "tests/sinks/kafka/kafka_test_util.h"
#include "tests/support/capture_util.h"

namespace cdc::testing {
namespace {

using namespace std::chrono_literals;

constexpr uint64_t kEvents = 20000;

std::string KafkaTargetConfig(const std::string& name, const std::string& brokers,
                              const std::string& tag) {
  return "pipelines:\n"
         "  - name: " +
         name +
         "\n"
         "    source: {type: generator, tables: [orders]}\n"
         "    sink: {type: kafka, brokers: \"" +
         brokers + "\", offsets_topic: replay_offsets_" + tag +
         "}\n"
         "    batch: {max_events: 100}\n"
         "    retry: {initial_backoff: 100ms, max_backoff: 1s}\n"
         "http: {enabled: false}\n";
}

std::string Text(const std::string& topic, const std::optional<std::string>& key,
                 const std::optional<std::string>& value, const std::vector<Header>& headers) {
  Record r{topic, key, value, headers};
  std::string line;
  filesink::AppendRecordLine(r, line);
  return line;
}

TEST(ReplayKafkaTest, FileCaptureToKafkaIsExactlyOnceAcrossSigkills) {
  CDCD_SERVICE_ENV_OR_SKIP(brokers, "kafka", "CDCD_TEST_KAFKA_BROKERS");
  const std::string tag = UniqueTag();
  CdcdRunDir capture;
  ASSERT_NO_FATAL_FAILURE(MakeGeneratorCapture(capture, kEvents));
  const std::vector<Record> captured = CaptureRecords(capture.out());
  ASSERT_GE(captured.size(), kEvents);

  // Into Kafka, killed until a run finishes.
  CdcdRunDir target;
  target.write_config(KafkaTargetConfig("rk_" + tag, brokers, tag));
  const std::vector<std::string> argv = {
      CDCD_BINARY,     "replay",     "--from",    capture.out(),    "--config",
      target.config(), "--pipeline", "rk_" + tag, "--topic-prefix", tag + "."};
  const uint32_t seed = E2eSeed();
  SCOPED_TRACE("CDCD_E2E_SEED=" + std::to_string(seed));
  std::mt19937 rng(seed);
  // Killed while it commits, after each run's recovery (init_transactions
  // after a kill waits for the broker to abort the open transaction).
  const int kills = KillUntilDone(target, argv, 50ms, 1200ms, rng, ": ready; committed offset");
  ASSERT_FALSE(HasFailure());
  std::cout << "replay into Kafka: " << kills << " SIGKILLs\n";
  EXPECT_GE(kills, 5) << "the replay finished too early to be killed often enough";

  // Each topic (one partition) holds its records of the capture, once, in order.
  std::map<std::string, std::vector<std::string>> expected, got;
  for (const Record& r : captured) {
    expected[tag + "." + r.topic].push_back(Text(tag + "." + r.topic, r.key, r.value, r.headers));
  }
  std::vector<std::string> topics;
  for (const auto& [topic, _] : expected) topics.push_back(topic);
  for (const kafka::KafkaMessage& m : ReadTopics(brokers, topics)) {
    got[m.topic].push_back(Text(m.topic, m.key, m.value, m.headers));
  }
  for (const std::string& topic : topics) {
    SCOPED_TRACE(topic);
    ASSERT_NO_FATAL_FAILURE(ExpectSameEventIds(got[topic], expected[topic]));
  }

  // And back out of Kafka into files: the orders topic, as it was captured.
  const std::string orders = tag + ".cap.public.orders";
  CdcdRunDir files;
  files.write_config(
      "pipelines:\n  - name: back\n    source: {type: generator}\n"
      "    sink: {type: file, path: \"" +
      files.out() + "\"}\nhttp: {enabled: false}\n");
  std::string out, err;
  ASSERT_EQ(RunCdcd({"replay", "--from", "kafka:" + orders, "--brokers", brokers, "--config",
                     files.config(), "--pipeline", "back"},
                    out, err),
            0)
      << err;
  std::vector<std::string> back;
  for (const Record& r : CaptureRecords(files.out())) {
    back.push_back(Text(r.topic, r.key, r.value, r.headers));
  }
  ASSERT_NO_FATAL_FAILURE(ExpectSameEventIds(back, expected[orders]));

  // The state from the topic is the state from the files.
  std::string from_files, from_topic;
  ASSERT_EQ(RunCdcd({"state", "--from", capture.out(), "--table", "orders"}, from_files, err), 0)
      << err;
  ASSERT_EQ(
      RunCdcd({"state", "--from", "kafka:" + orders, "--brokers", brokers, "--table", "orders"},
              from_topic, err),
      0)
      << err;
  EXPECT_GT(from_files.size(), 1000u);
  EXPECT_EQ(from_topic, from_files);
}

}  // namespace
}  // namespace cdc::testing
