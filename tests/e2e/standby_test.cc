// Hot standby between two cdcd processes (`standby: true`) on one generator
// -> file sink pipeline: while the active process runs, the second one stands
// by and commits nothing (the sink directory's lock decides); when the active
// one is SIGKILLed the standby takes over within 10 s and finishes the stream.
// The committed output holds every generated event exactly once, in order.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "sinks/file/file_sink_reader.h"
#include "sources/generator/generator_source.h"
#include "tests/e2e/permanent_fault_util.h"
#include "tests/support/cdcd_http.h"
#include "tests/support/kill_restart.h"
#include "tests/support/process.h"

namespace cdc {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

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
  testing::CdcdRunDir a, b;
  const std::string out = (sink.path() / "out").string();
  a.write_config(Config(out));
  b.write_config(Config(out));

  testing::ChildProcess active(a.argv(), a.log());
  httplib::Client http_a("127.0.0.1", testing::WaitForHttpPort(a.log()));
  ASSERT_TRUE(testing::TimeToState(http_a, "standby", "running", 30s)) << a.log_text();
  testing::ChildProcess standby(b.argv(), b.log());
  httplib::Client http_b("127.0.0.1", testing::WaitForHttpPort(b.log()));
  ASSERT_TRUE(testing::TimeToState(http_b, "standby", "standby", 30s)) << b.log_text();

  // Exactly one delivers: the active one commits, the standby nothing.
  std::this_thread::sleep_for(1500ms);
  const nlohmann::json sa = testing::PipelineEntry(http_a, "standby"),
                       sb = testing::PipelineEntry(http_b, "standby");
  EXPECT_GT(sa["events_committed"].get<uint64_t>(), 0u) << sa.dump();
  EXPECT_EQ(sb["state"], "standby") << sb.dump();
  EXPECT_EQ(sb["events_committed"].get<uint64_t>(), 0u) << sb.dump();
  auto ready = http_b.Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200) << "a standby is healthy: " << ready->body;

  active.signal(SIGKILL);
  EXPECT_EQ(active.wait(), 128 + SIGKILL);
  const std::optional<Clock::duration> took =
      testing::TimeToState(http_b, "standby", "running", 10s);
  ASSERT_TRUE(took) << "the standby did not take over within 10 s\n" << b.log_text();
  std::cout << "standby took over "
            << std::chrono::duration_cast<std::chrono::milliseconds>(*took).count()
            << " ms after the SIGKILL\n";

  // It finishes the stream (the generator's limit) and exits.
  int status = -1;
  ASSERT_TRUE(standby.wait_for(120s, status)) << b.log_text();
  EXPECT_EQ(status, 0) << b.log_text();

  testing::CollectingEmitter all;
  GeneratorSource(Settings()).run(std::nullopt, all, std::stop_token());
  std::vector<std::string> expected, got;
  for (const ChangeEvent& ev : all.events) expected.push_back(ev.id);
  for (const FileRecordLine& r : ReadCommittedRecords(out)) {
    got.push_back(r.headers.at("cdcd.event_id"));
  }
  ASSERT_EQ(expected.size(), kEvents);
  testing::ExpectSameEventIds(got, expected);
}

}  // namespace
}  // namespace cdc
