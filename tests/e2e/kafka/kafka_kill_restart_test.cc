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
#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "sources/generator/generator_source.h"
#include "tests/sinks/kafka/kafka_test_util.h"
#include "tests/support/process.h"
#include "tests/support/test_support.h"

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

// Waits until `path` holds more than `seen` lines with `needle`.
bool WaitForLine(const std::string& path, const std::string& needle, size_t seen,
                 std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (CountInFile(path, needle) > seen) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

uint32_t Seed() {
  if (const char* s = std::getenv("CDCD_E2E_SEED")) return std::stoul(s);
  return std::random_device{}();
}

TEST(KafkaKillRestartTest, GeneratorToKafkaIsExactlyOnceAcrossSigkills) {
  CDCD_SERVICE_ENV_OR_SKIP(brokers, "kafka", "CDCD_TEST_KAFKA_BROKERS");
  const std::string tag = testing::UniqueTag();
  const std::string pipeline = "kill_" + tag;
  testing::TempDir dir;
  const std::string config = (dir.path() / "pipelines.yaml").string();
  const std::string log = (dir.path() / "cdcd.log").string();
  testing::WriteFile(config, Config(pipeline, brokers, tag));
  const std::vector<std::string> argv = {CDCD_BINARY, "run", "--config", config};
  const std::string resumed = "pipeline " + pipeline + ": resuming from";

  const uint32_t seed = Seed();
  std::mt19937 rng(seed);
  SCOPED_TRACE("CDCD_E2E_SEED=" + std::to_string(seed) + " reproduces this run");
  std::uniform_int_distribution<int> startup_ms(0, 500), streaming_ms(20, 600);

  int kills = 0;
  for (int round = 0; round < kRounds; ++round) {
    size_t seen = CountInFile(log, resumed);
    testing::ChildProcess cdcd(argv, log);
    if (round % 4 == 3) {
      // Somewhere in start-up: producer creation, init_transactions, reading offsets.
      std::this_thread::sleep_for(std::chrono::milliseconds(startup_ms(rng)));
    } else {
      ASSERT_TRUE(WaitForLine(log, resumed, seen, 60s)) << testing::ReadFile(log);
      std::this_thread::sleep_for(std::chrono::milliseconds(streaming_ms(rng)));
    }
    cdcd.signal(SIGKILL);
    int status = cdcd.wait();
    if (status == 128 + SIGKILL) ++kills;
    ASSERT_TRUE(status == 128 + SIGKILL || status == 0)
        << "round " << round << ": " << status << "\n"
        << testing::ReadFile(log);
  }
  EXPECT_GE(kills, 10) << "the stream finished too early to be killed often enough";

  // A SIGTERM must drain, commit and exit 0.
  {
    size_t seen = CountInFile(log, resumed);
    testing::ChildProcess cdcd(argv, log);
    ASSERT_TRUE(WaitForLine(log, resumed, seen, 60s)) << testing::ReadFile(log);
    std::this_thread::sleep_for(200ms);
    cdcd.signal(SIGTERM);
    int status = -1;
    ASSERT_TRUE(cdcd.wait_for(60s, status)) << "cdcd did not stop on SIGTERM";
    EXPECT_EQ(status, 0) << testing::ReadFile(log);
  }

  // The last run goes to the end of the stream and exits 0 by itself.
  {
    testing::ChildProcess cdcd(argv, log);
    int status = -1;
    ASSERT_TRUE(cdcd.wait_for(180s, status)) << "cdcd did not finish";
    ASSERT_EQ(status, 0) << testing::ReadFile(log);
  }

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
    ASSERT_EQ(got.size(), ids.size()) << "events lost or duplicated";
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_EQ(got[i], ids[i]) << "first difference at event " << i;
    }
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
