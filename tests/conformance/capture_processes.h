// The two programs the conformance test runs side by side on one database:
// the real Debezium (tests/conformance/debezium/run.sh capture, one process per
// schemas setting) and the cdcd binary (one process, one pipeline per schemas
// setting). Each capture has its own slot and publication and writes its
// records to a file (Debezium) or a file sink (cdcd). Topic prefixes are the
// same on both sides, so topics and schema names can be compared as they are.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/process.h"

namespace cdc::testing {

struct PgServer {
  std::string host, port, user, dbname, dsn;
};

// One schemas setting: the names both captures of it use.
struct CaptureSide {
  bool schemas = false;
  std::string prefix;         // cdcd pipeline name = Debezium topic.prefix
  std::string debezium_slot;  // also its publication
  std::string cdcd_slot;      // also its publication
};

class DebeziumCapture {
 public:
  // Starts `run.sh capture` in `dir` (properties, output, log, ready file,
  // offsets), reading `tables` with snapshot.mode=initial.
  DebeziumCapture(const PgServer& pg, const CaptureSide& side,
                  const std::vector<std::string>& tables, const std::string& dir,
                  std::chrono::milliseconds idle);
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
  // Starts `cdcd run` with one postgres -> file pipeline per side; sink
  // directories are DIR/<prefix>.
  CdcdCapture(const PgServer& pg, const std::vector<CaptureSide>& sides,
              const std::vector<std::string>& tables, const std::string& dir);
  std::string out(const CaptureSide& side) const { return dir_ + "/" + side.prefix; }
  bool exited(int& status);
  // SIGTERM, then its exit status (-1 if it did not exit within `timeout`).
  int stop(std::chrono::seconds timeout);
  std::string log_tail() const;

 private:
  std::string dir_, log_;
  std::unique_ptr<ChildProcess> process_;
};

// True when java and mvn are on PATH (run.sh needs both on first use).
bool JavaToolsAvailable();

}  // namespace cdc::testing
