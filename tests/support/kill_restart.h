// What the end-to-end exactly-once tests share: cdcd run from one config file
// in a scratch directory, SIGKILLed at moments the test picks and restarted,
// stopped with SIGTERM or run to the end of its stream, and the committed
// output read back and compared.
//
// The run helpers report problems as fatal gtest failures: after a call, a
// test checks HasFatalFailure() (or wraps it in ASSERT_NO_FATAL_FAILURE).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "sinks/file/file_sink_reader.h"
#include "tests/support/test_support.h"

namespace cdc::testing {

// A scratch directory with DIR/pipelines.yaml, DIR/cdcd.log (every run
// appends to it) and DIR/out (for a file sink).
class CdcdRunDir {
 public:
  CdcdRunDir();
  void write_config(const std::string& yaml) const;
  const std::string& config() const { return config_; }
  const std::string& log() const { return log_; }
  const std::string& out() const { return out_; }
  std::string log_text() const { return ReadFile(log_); }
  // cdcd run --config DIR/pipelines.yaml
  std::vector<std::string> argv() const;

 private:
  TempDir dir_;
  std::string config_, log_, out_;
};

// `rounds` times: start cdcd (`argv`, default dir.argv()), call
// `before_kill(round)` (which waits, and may fail the test: the loop then
// stops), SIGKILL it and reap it. A run must die of the SIGKILL, or with
// `may_finish` also have exited 0 (its stream ended first). Returns how many
// runs the SIGKILL killed.
int KillRounds(const CdcdRunDir& dir, int rounds, const std::function<void(int)>& before_kill,
               bool may_finish = false, const std::vector<std::string>& argv = {});

// KillRounds waiting a uniformly random time in [min, max] before each SIGKILL.
int KillAfterRandomDelays(const CdcdRunDir& dir, int rounds, std::chrono::milliseconds min,
                          std::chrono::milliseconds max, std::mt19937& rng,
                          bool may_finish = false);

// Starts cdcd, calls `until` (which waits for the test's condition) and sends
// SIGTERM: cdcd must drain, commit and exit 0 within `timeout`. Nothing is
// signalled when `until` failed fatally.
void RunUntilThenStop(const CdcdRunDir& dir, const std::function<void()>& until,
                      std::chrono::seconds timeout = std::chrono::seconds(30));

// Starts cdcd (`argv`, default dir.argv()) and waits for it to reach the end
// of its stream and exit 0.
void RunToCompletion(const CdcdRunDir& dir, std::chrono::seconds timeout,
                     const std::vector<std::string>& argv = {});

// The seed of a randomized test: $CDCD_E2E_SEED, or a random one.
uint32_t E2eSeed();

// Fails unless `got` equals `expected`: the counts first (events lost or
// duplicated), then the first position where they differ.
void ExpectSameEventIds(const std::vector<std::string>& got,
                        const std::vector<std::string>& expected);

// The committed records of the file sink in `out` that carry a Debezium
// change (a value with "op"): no tombstones, heartbeats or metadata.
std::vector<FileRecordLine> CommittedChanges(const std::string& out);

// Fails on the first event id (header cdcd.event_id) seen twice.
void ExpectUniqueEventIds(const std::vector<FileRecordLine>& records);

// The last run after a kill loop: runs cdcd until the file sink in dir.out()
// holds `expected` changes (at most 2 minutes), stops it with SIGTERM, and
// sets `changes` to them, having checked that there are exactly `expected`
// with unique event ids.
void DrainChanges(const CdcdRunDir& dir, uint64_t expected, std::vector<FileRecordLine>& changes);

// Replays changes to a table with columns id and v into id -> v.
std::map<int64_t, int64_t> ReplayIdToV(const std::vector<FileRecordLine>& changes);

}  // namespace cdc::testing
