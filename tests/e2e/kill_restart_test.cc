// The exactly-once proof for the generator -> file sink path: cdcd is
// SIGKILLed at random moments during a steady stream, restarted each time,
// and finally run to the end. The committed output must hold every generated
// event exactly once and in order, which we check against the stream
// regenerated independently from the same generator settings.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <thread>

#include "sinks/file/file_sink_reader.h"
#include "sources/generator/generator_source.h"
#include "tests/support/process.h"
#include "tests/support/test_support.h"

namespace cdc {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr uint64_t kEvents = 100000;  // more than 12 rounds of at most 400 ms can reach
constexpr int kRate = 15000;          // events/s: a full run takes ~6.7 s

GeneratorSettings Settings() {
  GeneratorSettings s;
  s.server_name = "e2e";
  s.tables = {"orders", "customers"};
  s.key_space = 500;
  s.tx_min = 1;
  s.tx_max = 20;
  s.seed = 7;
  s.limit = kEvents;
  return s;
}

std::string Config(const std::string& out_dir) {
  return R"(pipelines:
  - name: e2e
    source:
      type: generator
      rate: )" +
         std::to_string(kRate) + R"(
      tables: [orders, customers]
      key_space: 500
      transaction_size: {min: 1, max: 20}
      seed: 7
      limit: )" +
         std::to_string(kEvents) + R"(
    sink:
      type: file
      path: )" +
         out_dir + R"(
      rotate_bytes: 2MiB
    format: {envelope: debezium, schemas: false, tombstones: true}
    batch: {max_events: 700, linger: 5ms}
http: {enabled: false}
log: {level: info}
)";
}

// The ids of the events the generator makes, in order: what the sink must hold.
std::vector<std::string> ExpectedIds() {
  testing::CollectingEmitter out;
  GeneratorSource(Settings()).run(std::nullopt, out, std::stop_token());
  std::vector<std::string> ids;
  for (const ChangeEvent& ev : out.events) ids.push_back(ev.id);
  return ids;
}

uint32_t Seed() {
  if (const char* s = std::getenv("CDCD_E2E_SEED")) return std::stoul(s);
  return std::random_device{}();
}

TEST(KillRestartTest, GeneratorToFileSinkIsExactlyOnceAcrossSigkills) {
  testing::TempDir dir;
  const std::string out = (dir.path() / "out").string();
  const std::string config = (dir.path() / "pipelines.yaml").string();
  const std::string log = (dir.path() / "cdcd.log").string();
  testing::WriteFile(config, Config(out));
  const std::vector<std::string> argv = {CDCD_BINARY, "run", "--config", config};

  const uint32_t seed = Seed();
  std::mt19937 rng(seed);
  SCOPED_TRACE("CDCD_E2E_SEED=" + std::to_string(seed) + " reproduces this run");
  std::uniform_int_distribution<int> delay_ms(20, 400);

  int kills = 0;
  for (int round = 0; round < 12; ++round) {
    testing::ChildProcess cdcd(argv, log);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
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
    testing::ChildProcess cdcd(argv, log);
    std::this_thread::sleep_for(200ms);
    cdcd.signal(SIGTERM);
    int status = -1;
    ASSERT_TRUE(cdcd.wait_for(30s, status)) << "cdcd did not stop on SIGTERM";
    EXPECT_EQ(status, 0) << testing::ReadFile(log);
  }

  // The last run goes to the end of the stream and exits 0 by itself.
  {
    testing::ChildProcess cdcd(argv, log);
    int status = -1;
    ASSERT_TRUE(cdcd.wait_for(120s, status)) << "cdcd did not finish";
    ASSERT_EQ(status, 0) << testing::ReadFile(log);
  }

  const std::vector<std::string> expected = ExpectedIds();
  ASSERT_EQ(expected.size(), kEvents);
  std::vector<std::string> got;
  size_t deletes = 0, tombstones = 0;
  for (const FileRecordLine& r : ReadCommittedRecords(out)) {
    if (r.value.is_null()) {
      ++tombstones;
      continue;
    }
    got.push_back(r.headers.at("cdcd.event_id"));
    deletes += r.value.at("op") == "d";
  }
  ASSERT_EQ(got.size(), expected.size()) << "events lost or duplicated";
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i], expected[i]) << "first difference at event " << i;
  }
  EXPECT_EQ(tombstones, deletes);

  // After a clean finish nothing uncommitted is left behind in the files.
  auto offsets = ReadOffsetsFile(out);
  ASSERT_TRUE(offsets);
  char segment[32];
  std::snprintf(segment, sizeof segment, "events-%06d.jsonl", (*offsets)["segment"].get<int>());
  EXPECT_EQ(fs::file_size(fs::path(out) / segment), (*offsets)["length"].get<uint64_t>());
  EXPECT_EQ((*offsets)["offset"]["state"].get<uint64_t>(), kEvents);
}

}  // namespace
}  // namespace cdc
