// What the conformance test prints when cdcd and Debezium disagree: records
// only one side has, keys whose ops come in another order, and field
// differences of matched records grouped by field path (count, topics, and
// the first record as an example: topic, key, op, cdcd value, Debezium value).
#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/conformance/captured_record.h"
#include "tests/conformance/json_diff.h"

namespace cdc::testing {

class DifferenceReport {
 public:
  explicit DifferenceReport(std::string title) : title_(std::move(title)) {}

  void only_in(const std::string& side, const CapturedRecord& r, bool schemas);
  void order(const std::string& description);
  void field(const CapturedRecord& cdcd_record, bool schemas, const FieldDifference& d);
  // A difference found some other way (a failed Connect conversion...).
  void problem(const std::string& description);

  size_t count() const { return count_; }
  // At most `max_lines` lines (the rest is counted on the last one).
  std::string text(size_t max_lines = 50) const;

 private:
  struct FieldGroup {
    size_t count = 0;
    std::set<std::string> topics;
    std::string example;
  };
  std::string title_;
  size_t count_ = 0;
  std::vector<std::string> unmatched_, order_, problems_;
  std::vector<std::string> group_order_;
  std::map<std::string, FieldGroup> groups_;
};

}  // namespace cdc::testing
