// Pairs cdcd's records with Debezium's: a record is identified by (topic, key
// payload, op, occurrence), the occurrence counting earlier records of the
// same topic, key and op in its own capture, so the n-th update of a row pairs
// with the n-th update of that row. Also checks that each key's records come
// in the same order of ops on both sides.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "tests/conformance/captured_record.h"

namespace cdc::testing {

struct RecordMatching {
  std::vector<std::pair<size_t, size_t>> pairs;  // (cdcd index, Debezium index), cdcd's order
  std::vector<size_t> only_cdcd;
  std::vector<size_t> only_debezium;
  // "topic key: cdcd [r u d tombstone], Debezium [r d tombstone]", per key
  // whose sequence of ops differs.
  std::vector<std::string> order_differences;
};

RecordMatching MatchRecords(const std::vector<CapturedRecord>& cdcd,
                            const std::vector<CapturedRecord>& debezium, bool schemas);

}  // namespace cdc::testing
