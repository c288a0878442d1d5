// The exactly-once proof for the generator -> Kafka path, on the real
// broker: cdcd is SIGKILLed at random moments during a steady stream (most
// while it streams and commits transactions, some while it recovers),
// restarted each time, stopped once with SIGTERM, and finally run to the end.
// A read_committed consumer must then see every generated event exactly once
// and in order -- each topic has one partition, so the order per topic (and
// hence per key) is checked against the stream regenerated independently
// from the same generator settings. Records of the transactions the kills
// interrupted are in the log but aborted: read_uncommitted shows them, and
// read_committed must not.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "sources/generator/generator_source.h"
#include "tests/sinks/kafka/kafka_test_util.h"
#include "tests/support/kill_restart.h"

namespace cdc {
namespace {

using namespace std::chrono_literals;

constexpr uint64_t kEvents = 60000;
constexpr int kRate = 12000;  // events/s: the whole stream takes ~5 s of streaming
constexpr int kRounds = 14;   // every 4th kills during start-up, the rest mid-stream

std::string SourceYaml() {
  return "type: generator\nrate: " + std::to_string(kRate) +
         "\ntables: [orders, customers]\nkey_space: 500\ntransaction_size: {min: 1, max: 20}\n"
         "seed: 11\nlimit: " +
         std::to_string(kEvents) + "\n";
}

std::string Indent(const std::string& text, const std::string& pad) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) out += pad + line + "\n";
  return out;
}

std::string Config(const std::string& pipeline, const std::string& brokers,
                   const std::string& tag) {
  return "pipelines:\n  - name: " + pipeline + "\n    source:\n" + Indent(SourceYaml(), "      ") +
         "    sink:\n"
         "      type: kafka\n"
         "      brokers: \"" +
         brokers +
         "\"\n"
         "      topic: \"kill_" +
         tag +
         ".{table}\"\n"
         "      offsets_topic: kill_offsets_" +
         tag +
         "\n"
         "    format: {envelope: debezium, schemas: false, tombstones: true}\n"
         "    batch: {max_events: 500, linger: 5ms}\n"
         "    retry: {initial_backoff: 100ms, max_backoff: 1s}\n"
         "http: {enabled: false}\n"
         "log: {level: info}\n";
}

// Event ids per table, in order: what each topic must hold.
std::map<std::string, std::vector<std::string>> ExpectedIds(const std::string& pipeline) {
  ConfigNode node(YAML::Load(SourceYaml()), "test.yaml", "source");
  testing::CollectingEmitter out;
  GeneratorSource(ParseGeneratorSettings(node, pipeline)).run(std::nullopt, out, std::stop_token());
  std::map<std::string, std::vector<std::string>> ids;
  for (const ChangeEvent& ev : out.events) ids[ev.source.table.table].push_back(ev.id);
  return ids;
}

size_t CountInFile(const std::string& path, const std::string& needle) {
  std::ifstream in(path);
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) n += line.find(needle) != std::string::npos;
  return n;
}

// Waits until the run just started logs `resumed`: one more such line than
// the runs before it wrote. Counted right after the fork, long before the new
// run can connect to the broker and get that far.
void WaitStreaming(const testing::CdcdRunDir& dir, const std::string& resumed) {
  const size_t seen = CountInFile(dir.log(), resumed);
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (CountInFile(dir.log(), resumed) <= seen) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << dir.log_text();
    std::this_thread::sleep_for(10ms);
  }
}

TEST(KafkaKillRestartTest, GeneratorToKafkaIsExactlyOnceAcrossSigkills) {
  CDCD_SERVICE_ENV_OR_SKIP(brokers, "kafka", "CDCD_TEST_KAFKA_BROKERS");
  const std::string tag = testing::UniqueTag();
  const std::string pipeline = "kill_" + tag;
  testing::CdcdRunDir dir;
  dir.write_config(Config(pipeline, brokers, tag));
  const std::string resumed = "pipeline " + pipeline + ": resuming from";
  const uint32_t seed = testing::E2eSeed();
  std::mt19937 rng(seed);
  SCOPED_TRACE("CDCD_E2E_SEED=" + std::to_string(seed) + " reproduces this run");
  std::uniform_int_distribution<int> startup_ms(0, 500), streaming_ms(20, 600);

  const int kills = testing::KillRounds(
      dir, kRounds,
      [&](int round) {
        if (round % 4 == 3) {
          // Somewhere in start-up: producer creation, init_transactions, reading offsets.
          std::this_thread::sleep_for(std::chrono::milliseconds(startup_ms(rng)));
          return;
        }
        WaitStreaming(dir, resumed);
        std::this_thread::sleep_for(std::chrono::milliseconds(streaming_ms(rng)));
      },
      /*may_finish=*/true);
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_GE(kills, 10) << "the stream finished too early to be killed often enough";
  // A SIGTERM must drain, commit and exit 0; the last run goes to the end.
  ASSERT_NO_FATAL_FAILURE(testing::RunUntilThenStop(
      dir,
      [&] {
        WaitStreaming(dir, resumed);
        std::this_thread::sleep_for(200ms);
      },
      60s));
  ASSERT_NO_FATAL_FAILURE(testing::RunToCompletion(dir, 180s));

  const auto expected = ExpectedIds(pipeline);
  size_t committed_total = 0;
  for (const auto& [table, ids] : expected) {
    SCOPED_TRACE("table " + table);
    const std::string topic = "kill_" + tag + "." + table;
    std::vector<std::string> got;
    size_t deletes = 0, tombstones = 0;
    for (const kafka::KafkaMessage& m : testing::ReadTopics(brokers, {topic})) {
      ++committed_total;
      if (!m.value) {
        ++tombstones;
        continue;
      }
      got.push_back(m.header("cdcd.event_id").value_or("<no event id>"));
      deletes += m.header("cdcd.op") == "d";
    }
    ASSERT_NO_FATAL_FAILURE(testing::ExpectSameEventIds(got, ids));
    EXPECT_EQ(tombstones, deletes);
  }

  // The killed transactions left records behind that only read_uncommitted sees.
  size_t all_records =
      testing::ReadTopics(brokers, {"kill_" + tag + ".orders", "kill_" + tag + ".customers"},
                          /*committed=*/false)
          .size();
  std::cout << "kills: " << kills << ", committed records: " << committed_total
            << ", records incl. aborted: " << all_records << "\n";
  EXPECT_GE(all_records, committed_total);

  // The last offset record names the end of the stream.
  auto offsets = testing::ReadTopics(brokers, {"kill_offsets_" + tag});
  ASSERT_FALSE(offsets.empty());
  nlohmann::json last = nlohmann::json::parse(offsets.back().value.value_or("null"));
  EXPECT_EQ(last["offset"]["state"].get<uint64_t>(), kEvents);
}

}  // namespace
}  // namespace cdc
