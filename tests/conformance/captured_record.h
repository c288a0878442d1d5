// One record of a capture, whichever side wrote it (cdcd's file sink or the
// Debezium runner's JSON lines): its topic, the exact text of its key and
// value, and both parsed. The runner's line format is written back for
// `run.sh connect-roundtrip`.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace cdc::testing {

struct CapturedRecord {
  size_t index = 0;  // position in its capture, from 0
  std::string topic;
  std::string key_text;    // "null" for a null key
  std::string value_text;  // "null" for a tombstone
  nlohmann::json key;
  nlohmann::json value;

  bool tombstone() const { return value.is_null(); }
  // The change's "op" ("c", "u", "d", "r", "t"), or "tombstone".
  std::string op() const;
  // The key or value without its {"schema", "payload"} wrapper (schemas: true).
  const nlohmann::json& key_payload(bool schemas) const;
  const nlohmann::json& payload(bool schemas) const;
  // The key's payload as compact text: what records are matched on.
  std::string key_identity(bool schemas) const;
};

// The committed records of cdcd's file sink in `dir`.
std::vector<CapturedRecord> ReadCdcdCapture(const std::string& dir);

// The records `run.sh capture` wrote to `file`.
std::vector<CapturedRecord> ReadDebeziumCapture(const std::string& file);

// Writes `records` as the runner's lines {"topic":..,"key":<text>,"value":<text>}.
void WriteRunnerLines(const std::vector<CapturedRecord>& records, const std::string& file);

}  // namespace cdc::testing
