// Compares two captures of the same changes, one schemas setting: records only
// one side has, per-key order of ops, and every field of each matched pair
// (the `schema` blocks of key and value too when schemas is true), minus the
// allowed differences (allowed_differences.h).
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "tests/conformance/allowed_differences.h"
#include "tests/conformance/captured_record.h"
#include "tests/conformance/difference_report.h"
#include "tests/conformance/json_diff.h"
#include "tests/conformance/record_matching.h"

namespace cdc::testing {

// `float32_columns`: "table.column" of the columns of type real or real[].
void CompareCaptures(const std::vector<CapturedRecord>& cdcd,
                     const std::vector<CapturedRecord>& debezium, bool schemas,
                     const std::set<std::string>& float32_columns, const RecordMatching& matching,
                     DifferenceReport& report);

// What IsAllowedDifference needs to know about `r`.
RecordContext ContextOf(const CapturedRecord& r, const std::set<std::string>& float32_columns);

// The differences that are not allowed between two values of `record`.
// `schemas`: both are {"schema", "payload"}; the schema's paths start with
// "schema", the payload's are bare ("after.c_num").
std::vector<FieldDifference> ValueDifferences(const nlohmann::json& cdcd,
                                              const nlohmann::json& debezium, bool schemas,
                                              const RecordContext& record);

}  // namespace cdc::testing
