// What the PostgreSQL and the MariaDB conformance tests do alike once their
// captures run: wait for the sentinel and stop them, read and match both
// captures of each schemas setting, compare their records and Kafka Connect
// renderings, and print the reports.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tests/conformance/capture_processes.h"
#include "tests/conformance/captured_record.h"
#include "tests/conformance/connect_roundtrip.h"
#include "tests/conformance/record_matching.h"
#include "tests/support/test_support.h"

namespace cdc::testing {

// Debezium stops this long after its last record: longer than any quiet
// stretch between its first record (its snapshot) and the sentinel.
inline constexpr std::chrono::seconds kDebeziumIdle{20};
// The first run fetches Debezium's jars from Maven Central.
inline constexpr std::chrono::seconds kStartTimeout{600};

// Prints how long each phase took (run time matters in CI).
class PhaseClock {
 public:
  void phase(const std::string& name);

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// $CDCD_CONFORMANCE_DIR/<name> if set (kept, to look at the captures), else `scratch`.
std::string WorkDir(const TempDir& scratch, const std::string& name);

// schemas true ("conf_s") and false ("conf_n").
std::vector<CaptureSide> ConformanceSides();

// "<prefix>.<qualified table>".
std::string Topic(const CaptureSide& side, const std::string& table);

// Polls `ready` until it holds; fails when a capture exits before that, or
// after kStartTimeout (the message says `what` was awaited, with the logs).
void WaitUntilAllCaptures(std::vector<DebeziumCapture>& debezium, CdcdCapture& cdcd,
                          const std::function<bool()>& ready, const std::string& what);

// Waits for `sentinel`'s record in every cdcd capture, stops cdcd (SIGTERM:
// it must exit 0) and lets the Debezium runs end by themselves (idle after
// their last record: exit 0, with the sentinel).
void WaitForSentinelAndStop(const std::vector<CaptureSide>& sides,
                            std::vector<DebeziumCapture>& debezium, CdcdCapture& cdcd,
                            const std::string& sentinel);

// Both captures of one schemas setting, matched, with their Connect round trips.
struct SideCaptures {
  std::vector<CapturedRecord> cdcd, debezium;
  RecordMatching matching;
  std::unique_ptr<ConnectRoundTrip> cdcd_trip, debezium_trip;
};

// Reads and matches the captures of `side` and starts their round trips.
SideCaptures ReadSide(const CaptureSide& side, const CdcdCapture& cdcd,
                      const DebeziumCapture& debezium, const std::string& work);

// Compares the records and their Connect renderings of one side, prints the
// reports; returns the number of differences. `float32_columns`:
// "table.column" of the columns whose Connect type is "float".
size_t CompareSide(const CaptureSide& side, SideCaptures& s,
                   const std::set<std::string>& float32_columns);

}  // namespace cdc::testing
