#include "tests/conformance/conformance_driver.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "tests/conformance/record_comparison.h"
#include "tests/support/capture_util.h"

namespace cdc::testing {

using namespace std::chrono_literals;

void PhaseClock::phase(const std::string& name) {
  const auto now = std::chrono::steady_clock::now();
  std::cout << "[conformance] " << name << " at "
            << std::chrono::duration_cast<std::chrono::milliseconds>(now - start_).count() << " ms"
            << std::endl;
}

std::string WorkDir(const TempDir& scratch, const std::string& name) {
  const char* dir = std::getenv("CDCD_CONFORMANCE_DIR");
  if (!dir || !*dir) return scratch.str();
  const std::string work = std::string(dir) + "/" + name;
  std::filesystem::remove_all(work);
  std::filesystem::create_directories(work);
  return work;
}

std::vector<CaptureSide> ConformanceSides() {
  return {{true, "conf_s"}, {false, "conf_n"}};
}

std::string Topic(const CaptureSide& side, const std::string& table) {
  return side.prefix + "." + table;
}

void WaitUntilAllCaptures(std::vector<DebeziumCapture>& debezium, CdcdCapture& cdcd,
                          const std::function<bool()>& ready, const std::string& what) {
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (true) {
    int status = 0;
    for (DebeziumCapture& d : debezium) {
      ASSERT_FALSE(d.exited(status)) << "Debezium exited " << status << "\n" << d.log_tail();
    }
    ASSERT_FALSE(cdcd.exited(status)) << "cdcd exited " << status << "\n" << cdcd.log_tail();
    if (ready()) return;
    if (std::chrono::steady_clock::now() > deadline) {
      std::string logs = cdcd.log_tail();
      for (const DebeziumCapture& d : debezium) logs += "\n" + d.log_tail();
      FAIL() << "not " << what << " after " << kStartTimeout.count() << " s\n" << logs;
    }
    std::this_thread::sleep_for(200ms);
  }
}

namespace {

void WaitForDebeziumEnd(const CaptureSide& side, DebeziumCapture& debezium,
                        const std::string& sentinel) {
  const std::string topic = Topic(side, sentinel);
  const auto deadline = std::chrono::steady_clock::now() + kDebeziumIdle + 120s;
  int status = -1;
  bool saw_sentinel = false;
  while (!debezium.exited(status)) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline)
        << "Debezium (" << side.prefix << ") did not stop\n"
        << debezium.log_tail();
    saw_sentinel = saw_sentinel || debezium.has_topic(topic);
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(status, 0) << debezium.log_tail();
  ASSERT_TRUE(saw_sentinel || debezium.has_topic(topic))
      << "Debezium (" << side.prefix << ") stopped before the sentinel: raise kDebeziumIdle\n"
      << debezium.log_tail();
}

}  // namespace

void WaitForSentinelAndStop(const std::vector<CaptureSide>& sides,
                            std::vector<DebeziumCapture>& debezium, CdcdCapture& cdcd,
                            const std::string& sentinel) {
  for (const CaptureSide& side : sides) {
    ASSERT_TRUE(WaitForTopic(cdcd.out(side), Topic(side, sentinel)))
        << "cdcd never committed the sentinel of " << side.prefix << "\n"
        << cdcd.log_tail();
  }
  EXPECT_EQ(cdcd.stop(60s), 0) << cdcd.log_tail();
  for (size_t i = 0; i < sides.size(); ++i) {
    ASSERT_NO_FATAL_FAILURE(WaitForDebeziumEnd(sides[i], debezium[i], sentinel));
  }
}

SideCaptures ReadSide(const CaptureSide& side, const CdcdCapture& cdcd,
                      const DebeziumCapture& debezium, const std::string& work) {
  SideCaptures s;
  s.cdcd = ReadCdcdCapture(cdcd.out(side));
  s.debezium = ReadDebeziumCapture(debezium.out());
  s.matching = MatchRecords(s.cdcd, s.debezium, side.schemas);
  const std::string lines = work + "/cdcd-" + side.prefix + ".jsonl";
  WriteRunnerLines(s.cdcd, lines);
  s.cdcd_trip = std::make_unique<ConnectRoundTrip>(lines, side.schemas);
  s.debezium_trip = std::make_unique<ConnectRoundTrip>(debezium.out(), side.schemas);
  return s;
}

size_t CompareSide(const CaptureSide& side, SideCaptures& s,
                   const std::set<std::string>& float32_columns) {
  const std::string setting = std::string("schemas: ") + (side.schemas ? "true" : "false");
  DifferenceReport records("cdcd vs Debezium records, " + setting);
  CompareCaptures(s.cdcd, s.debezium, side.schemas, float32_columns, s.matching, records);
  s.cdcd_trip->finish(180s);
  s.debezium_trip->finish(180s);
  DifferenceReport connect("Kafka Connect renderings, " + setting);
  CompareRoundTrips(*s.cdcd_trip, *s.debezium_trip, s.cdcd, side.schemas, float32_columns,
                    s.matching, connect);
  std::cout << "[conformance] " << setting << ": " << s.cdcd.size() << " cdcd records, "
            << s.debezium.size() << " Debezium records, " << s.matching.pairs.size() << " matched\n"
            << records.text() << connect.text() << std::flush;
  // The comparison saw the whole workload: most records have a partner.
  EXPECT_GT(s.matching.pairs.size(), s.debezium.size() * 9 / 10) << setting;
  return records.count() + connect.count();
}

}  // namespace cdc::testing
