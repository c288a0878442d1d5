// The exactly-once proof for the generator -> file sink path: cdcd is
// SIGKILLed at random moments during a steady stream, restarted each time,
// and finally run to the end. The committed output must hold every generated
// event exactly once and in order, which we check against the stream
// regenerated independently from the same generator settings.
#include "tests/support/kill_restart.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <thread>

#include "sinks/file/file_sink_reader.h"
#include "sources/generator/generator_source.h"

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

TEST(KillRestartTest, GeneratorToFileSinkIsExactlyOnceAcrossSigkills) {
  testing::CdcdRunDir dir;
  dir.write_config(Config(dir.out()));
  const uint32_t seed = testing::E2eSeed();
  std::mt19937 rng(seed);
  SCOPED_TRACE("CDCD_E2E_SEED=" + std::to_string(seed) + " reproduces this run");
  const int kills = testing::KillAfterRandomDelays(dir, 12, 20ms, 400ms, rng, /*may_finish=*/true);
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_GE(kills, 10) << "the stream finished too early to be killed often enough";
  // A SIGTERM must drain, commit and exit 0; the last run goes to the end.
  ASSERT_NO_FATAL_FAILURE(
      testing::RunUntilThenStop(dir, [] { std::this_thread::sleep_for(200ms); }));
  ASSERT_NO_FATAL_FAILURE(testing::RunToCompletion(dir, 120s));

  const std::vector<std::string> expected = ExpectedIds();
  ASSERT_EQ(expected.size(), kEvents);
  std::vector<std::string> got;
  size_t deletes = 0, tombstones = 0;
  for (const FileRecordLine& r : ReadCommittedRecords(dir.out())) {
    if (r.value.is_null()) {
      ++tombstones;
      continue;
    }
    got.push_back(r.headers.at("cdcd.event_id"));
    deletes += r.value.at("op") == "d";
  }
  ASSERT_NO_FATAL_FAILURE(testing::ExpectSameEventIds(got, expected));
  EXPECT_EQ(tombstones, deletes);

  // After a clean finish nothing uncommitted is left behind in the files.
  auto offsets = ReadOffsetsFile(dir.out());
  ASSERT_TRUE(offsets);
  char segment[32];
  std::snprintf(segment, sizeof segment, "events-%06d.jsonl", (*offsets)["segment"].get<int>());
  EXPECT_EQ(fs::file_size(fs::path(dir.out()) / segment), (*offsets)["length"].get<uint64_t>());
  EXPECT_EQ((*offsets)["offset"]["state"].get<uint64_t>(), kEvents);
}

}  // namespace
}  // namespace cdc
