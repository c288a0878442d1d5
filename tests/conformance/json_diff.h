// Field-by-field differences between two parsed JSON documents, as the
// conformance test compares records: numbers by value (1e-300 equals
// 1.0E-300, 1 equals 1.0), a member present on one side only is a
// difference of its own, and arrays of Connect schema fields are matched by
// field name, so a path names the column ("schema.fields[after].fields[c_num]").
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace cdc::testing {

struct FieldDifference {
  std::string path;                        // "after.c_num", "source.lsn", "schema.fields[after]..."
  std::optional<nlohmann::json> cdcd;      // nullopt: the member is absent
  std::optional<nlohmann::json> debezium;  // nullopt: the member is absent
};

// Appends the differences between `cdcd` and `debezium` under `path` ("" for the root).
void DiffJson(const nlohmann::json& cdcd, const nlohmann::json& debezium, const std::string& path,
              std::vector<FieldDifference>& out);

// True when both are numbers of the same value.
bool SameNumber(const nlohmann::json& a, const nlohmann::json& b);

// A value for a report line: compact JSON cut to `max` characters, "(absent)" for nullopt.
std::string ShowValue(const std::optional<nlohmann::json>& v, size_t max = 70);

}  // namespace cdc::testing
