// Shared by the hot-standby end-to-end tests (file sink, Kafka sink): two
// cdcd processes on one generator pipeline with `standby: true`, the active
// one SIGKILLed, the standby timed as it takes over and finishes the stream.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "sources/generator/generator_source.h"
#include "tests/e2e/permanent_fault_util.h"
#include "tests/support/cdcd_http.h"
#include "tests/support/kill_restart.h"
#include "tests/support/process.h"

namespace cdc::testing {

struct StandbyPairTimes {
  std::chrono::seconds start;         // for each process to reach running / standby
  std::chrono::milliseconds observe;  // both running, before the SIGKILL
  std::chrono::seconds finish;        // for the standby to finish the stream
};

// Runs `config` (pipeline `name`, a generator with a `limit`, HTTP on port
// 0) in two processes. The first must run and commit while the second
// stands by (ready, committing nothing); then the first is SIGKILLed and the
// second must take over within 10 s and exit 0 at the generator's end.
inline void RunStandbyPair(const std::string& config, const std::string& name,
                           const StandbyPairTimes& t) {
  using Clock = std::chrono::steady_clock;
  CdcdRunDir a, b;
  a.write_config(config);
  b.write_config(config);

  ChildProcess active(a.argv(), a.log());
  httplib::Client http_a("127.0.0.1", WaitForHttpPort(a.log()));
  ASSERT_TRUE(TimeToState(http_a, name, "running", t.start)) << a.log_text();
  ChildProcess standby(b.argv(), b.log());
  httplib::Client http_b("127.0.0.1", WaitForHttpPort(b.log()));
  ASSERT_TRUE(TimeToState(http_b, name, "standby", t.start)) << b.log_text();

  // Exactly one delivers, and the standby does not fence the active one.
  const uint64_t before = PipelineEntry(http_a, name)["events_committed"].get<uint64_t>();
  std::this_thread::sleep_for(t.observe);
  const nlohmann::json sa = PipelineEntry(http_a, name), sb = PipelineEntry(http_b, name);
  EXPECT_EQ(sa["state"], "running") << sa.dump() << "\n" << a.log_text();
  EXPECT_GT(sa["events_committed"].get<uint64_t>(), before) << sa.dump();
  EXPECT_EQ(sb["state"], "standby") << sb.dump();
  EXPECT_EQ(sb["events_committed"].get<uint64_t>(), 0u) << sb.dump();
  auto ready = http_b.Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200) << "a standby is healthy: " << ready->body;

  active.signal(SIGKILL);
  EXPECT_EQ(active.wait(), 128 + SIGKILL);
  const std::optional<Clock::duration> took =
      TimeToState(http_b, name, "running", std::chrono::seconds(10));
  ASSERT_TRUE(took) << "the standby did not take over within 10 s\n" << b.log_text();
  std::cout << "standby took over "
            << std::chrono::duration_cast<std::chrono::milliseconds>(*took).count()
            << " ms after the SIGKILL\n";

  // It finishes the stream (the generator's limit) and exits.
  int status = -1;
  ASSERT_TRUE(standby.wait_for(t.finish, status)) << b.log_text();
  EXPECT_EQ(status, 0) << b.log_text();
}

// The ids of the events `settings` generate, in order.
inline std::vector<std::string> GeneratedIds(const GeneratorSettings& settings) {
  CollectingEmitter all;
  GeneratorSource(settings).run(std::nullopt, all, std::stop_token());
  std::vector<std::string> ids;
  for (const ChangeEvent& ev : all.events) ids.push_back(ev.id);
  return ids;
}

}  // namespace cdc::testing
