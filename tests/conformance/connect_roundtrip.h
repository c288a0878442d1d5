// Kafka Connect's view of the records: `run.sh connect-roundtrip` feeds each
// key and value to JsonConverter.toConnectData and renders the Connect data
// back (schemaless). Every cdcd record must convert, and the rendering of a
// cdcd record must equal the rendering of the Debezium record it matches, up
// to the allowed differences.
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "tests/conformance/captured_record.h"
#include "tests/conformance/difference_report.h"
#include "tests/conformance/record_matching.h"
#include "tests/support/process.h"

namespace cdc::testing {

class ConnectRoundTrip {
 public:
  // Starts `run.sh connect-roundtrip --in <in> --schemas S --dump <in>.dump`.
  ConnectRoundTrip(const std::string& in, bool schemas);
  // Waits for the run (fails the test after `timeout`), then reads its dump.
  void finish(std::chrono::seconds timeout);

  int status() const { return status_; }
  // The lines of its output naming a failed record ("line N: value: ...").
  std::vector<std::string> failures() const;
  // The rendering of input line i + 1 ({"line","topic","key","value"[,"error"]}).
  const std::vector<nlohmann::json>& dump() const { return dump_; }

 private:
  std::string in_, dump_file_, log_;
  std::unique_ptr<ChildProcess> process_;
  int status_ = -1;
  std::vector<nlohmann::json> dump_;
};

// Adds to `report` every record of either side that Connect could not read,
// and every not-allowed difference between the renderings of matched records.
void CompareRoundTrips(const ConnectRoundTrip& cdcd, const ConnectRoundTrip& debezium,
                       const std::vector<CapturedRecord>& cdcd_records, bool schemas,
                       const std::set<std::string>& float32_columns, const RecordMatching& matching,
                       DifferenceReport& report);

}  // namespace cdc::testing
