// The two programs the conformance tests run side by side on one database:
// the real Debezium (tests/conformance/debezium/run.sh capture, one process per
// schemas setting) and the cdcd binary (one process, one pipeline per schemas
// setting). Each writes its records to a file (Debezium) or a file sink
// (cdcd). Topic prefixes are the same on both sides, so topics and schema
// names can be compared as they are. What is specific to a database (the
// connector's properties, the pipeline's source) comes from
// postgres_captures.h and mariadb_captures.h.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/process.h"

namespace cdc::testing {

// One schemas setting: Debezium's topic.prefix and cdcd's pipeline name.
struct CaptureSide {
  bool schemas = false;
  std::string prefix;
};

class DebeziumCapture {
 public:
  // Starts `run.sh capture` in `dir` (properties, output, log, ready file,
  // offsets) with the connector `properties`; `pom` names the jars
  // (run.sh's CDCD_DBZ_POM; empty: its default).
  DebeziumCapture(const std::string& properties, bool schemas, const std::string& dir,
                  std::chrono::milliseconds idle, const std::string& pom = "");
  const std::string& out() const { return out_; }
  bool ready() const;
  // True once it exited; sets `status`.
  bool exited(int& status);
  // True when its output has a record of `topic`.
  bool has_topic(const std::string& topic) const;
  std::string log_tail() const;

 private:
  std::string out_, log_, ready_;
  std::unique_ptr<ChildProcess> process_;
};

class CdcdCapture {
 public:
  // Starts `cdcd run` with `pipelines` (YAML list items under `pipelines:`,
  // one per side, each with a file sink in out(side)).
  CdcdCapture(const std::string& pipelines, const std::string& dir);
  std::string out(const CaptureSide& side) const { return dir_ + "/" + side.prefix; }
  bool exited(int& status);
  // SIGTERM, then its exit status (-1 if it did not exit within `timeout`).
  int stop(std::chrono::seconds timeout);
  std::string log_tail() const;

 private:
  std::string dir_, log_;
  std::unique_ptr<ChildProcess> process_;
};

// cdcd's file sink and Debezium envelope settings of one side's pipeline:
// schema-change records off (neither Debezium run writes them here).
std::string CdcdSinkAndFormat(const CaptureSide& side, const std::string& out);

// Debezium's offset settings: a file in `dir`, flushed after every batch.
std::string DebeziumOffsetProperties(const std::string& dir);

// Debezium's table.include.list: anchored regular expressions, the dots
// escaped (written "\\." in a .properties file, which unescapes it once).
std::string DebeziumIncludeList(const std::vector<std::string>& tables);

std::string Quoted(const std::string& s);

// True when java and mvn are on PATH (run.sh needs both on first use).
bool JavaToolsAvailable();

}  // namespace cdc::testing
