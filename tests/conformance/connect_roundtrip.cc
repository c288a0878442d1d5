#include "tests/conformance/connect_roundtrip.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/conformance/record_comparison.h"
#include "tests/support/test_support.h"

namespace cdc::testing {

using nlohmann::json;

ConnectRoundTrip::ConnectRoundTrip(const std::string& in, bool schemas)
    : in_(in), dump_file_(in + ".dump"), log_(in + ".roundtrip.log") {
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{SourcePath("tests/conformance/debezium/run.sh").string(),
                               "connect-roundtrip", "--in", in_, "--schemas",
                               schemas ? "true" : "false", "--dump", dump_file_},
      log_);
}

void ConnectRoundTrip::finish(std::chrono::seconds timeout) {
  if (!process_->wait_for(timeout, status_)) {
    ADD_FAILURE() << "connect-roundtrip of " << in_ << " still runs after " << timeout.count()
                  << " s";
    return;
  }
  std::ifstream in(dump_file_);
  for (std::string line; std::getline(in, line);) dump_.push_back(json::parse(line));
}

std::vector<std::string> ConnectRoundTrip::failures() const {
  std::vector<std::string> out;
  std::istringstream log(ReadFile(log_));
  for (std::string line; std::getline(log, line);) {
    if (line.rfind("line ", 0) == 0) out.push_back(line);
  }
  if (status_ != 0 && out.empty()) {
    out.push_back("connect-roundtrip of " + in_ + " exited " + std::to_string(status_) + ": " +
                  ReadFile(log_).substr(0, 2000));
  }
  return out;
}

void CompareRoundTrips(const ConnectRoundTrip& cdcd, const ConnectRoundTrip& debezium,
                       const std::vector<CapturedRecord>& cdcd_records, bool schemas,
                       const std::set<std::string>& float32_columns, const RecordMatching& matching,
                       DifferenceReport& report) {
  for (const std::string& f : cdcd.failures()) report.problem("Connect cannot read cdcd's " + f);
  for (const std::string& f : debezium.failures()) {
    report.problem("Connect cannot read Debezium's " + f);
  }
  if (cdcd.dump().size() != cdcd_records.size()) {
    report.problem("connect-roundtrip dumped " + std::to_string(cdcd.dump().size()) +
                   " of cdcd's " + std::to_string(cdcd_records.size()) + " records");
    return;
  }
  for (const auto& [ci, di] : matching.pairs) {
    if (di >= debezium.dump().size()) {
      report.problem("no connect-roundtrip dump of Debezium's record " + std::to_string(di));
      return;
    }
    const json& c = cdcd.dump()[ci];
    const json& d = debezium.dump()[di];
    const CapturedRecord& rec = cdcd_records[ci];
    std::vector<FieldDifference> diffs;
    DiffJson(c["key"], d["key"], "key", diffs);
    for (FieldDifference& f :
         ValueDifferences(c["value"], d["value"], false, ContextOf(rec, float32_columns))) {
      diffs.push_back(std::move(f));
    }
    for (const FieldDifference& f : diffs) report.field(rec, schemas, f);
  }
}

}  // namespace cdc::testing
