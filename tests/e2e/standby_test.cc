// Hot standby between two cdcd processes (`standby: true`) on one generator
// -> file sink pipeline: while the active process runs, the second one stands
// by and commits nothing (the sink directory's lock decides); when the active
// one is SIGKILLed the standby takes over within 10 s and finishes the stream.
// The committed output holds every generated event exactly once, in order.
#include <gtest/gtest.h>

#include "sinks/file/file_sink_reader.h"
#include "tests/e2e/standby_pair.h"

namespace cdc {
namespace {

using namespace std::chrono_literals;

constexpr uint64_t kEvents = 30000;
constexpr int kRate = 3000;  // ~10 s for the whole stream

GeneratorSettings Settings() {
  GeneratorSettings s;
  s.server_name = "standby";
  s.tables = {"orders"};
  s.key_space = 200;
  s.tx_min = 1;
  s.tx_max = 10;
  s.seed = 11;
  s.limit = kEvents;
  return s;
}

std::string Config(const std::string& out_dir) {
  return "pipelines:\n"
         "  - name: standby\n"
         "    standby: true\n"
         "    source: {type: generator, rate: " +
         std::to_string(kRate) +
         ", tables: [orders], key_space: 200,\n"
         "             transaction_size: {min: 1, max: 10}, seed: 11, limit: " +
         std::to_string(kEvents) +
         "}\n"
         "    sink: {type: file, path: \"" +
         out_dir +
         "\", fsync: false}\n"
         "    format: {envelope: debezium, schemas: false, tombstones: false}\n"
         "    batch: {linger: 5ms}\n"
         "http: {listen: \"127.0.0.1:0\"}\n";
}

TEST(StandbyTest, SecondProcessStandsByAndTakesOverWithinTenSeconds) {
  testing::TempDir sink;
  const std::string out = (sink.path() / "out").string();
  ASSERT_NO_FATAL_FAILURE(testing::RunStandbyPair(Config(out), "standby", {30s, 1500ms, 120s}));
  std::vector<std::string> got;
  for (const FileRecordLine& r : ReadCommittedRecords(out)) {
    got.push_back(r.headers.at("cdcd.event_id"));
  }
  const std::vector<std::string> expected = testing::GeneratedIds(Settings());
  ASSERT_EQ(expected.size(), kEvents);
  testing::ExpectSameEventIds(got, expected);
}

}  // namespace
}  // namespace cdc
