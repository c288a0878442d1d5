// Sink: makes batches of events durable together with the offset after them.
//
// Contract (the exactly-once half of cdcd):
//  - recover() prepares the sink and returns the last committed offset, or
//    nullopt if nothing was ever committed. Whatever was written after that
//    commit is discarded or made invisible. It is called before the first
//    commit and again after any failure, before the pipeline resumes.
//  - commit(batch, next) writes the batch and `next` atomically: after a
//    crash at any instant, recover() returns either the previous offset (and
//    no event of the batch is visible) or `next` (and all of them are).
//    An empty batch commits only the offset (e.g. heartbeats moving on).
//  - commit_records(records, next) is commit() for records that were built
//    elsewhere -- a replay of what a sink committed before (cdc/replay.h):
//    the same atomicity, the records written verbatim (topic, key, value,
//    headers), no Format or routing applied. A sink that cannot take them
//    keeps the default, which throws Error.
//  - committed_offset() reads the last committed offset without changing
//    anything or taking ownership (for `cdcd offsets show`); it may connect.
//  - Failures throw: TransientError when a retry may succeed, Error otherwise.
//  - Constructors only parse configuration: they must not connect or write.
//  - metrics() reports the sink's own counters and gauges for the daemon's
//    /metrics (default: none). It is called from the HTTP thread while the
//    pipeline commits, so it must be thread-safe and must not block on I/O.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cdc/change_event.h"
#include "cdc/error.h"
#include "cdc/offset.h"
#include "cdc/record.h"

namespace cdc {

// One value a sink reports. The daemon exports it per pipeline as
// cdcd_sink_<sink type>_<name>{pipeline="..."} in Prometheus text format, so
// `name` follows Prometheus conventions (snake_case, counters end in _total,
// units in the name: _bytes, _seconds).
struct SinkMetric {
  enum class Type { kCounter, kGauge };
  std::string name;
  Type type = Type::kCounter;
  std::string help;
  double value = 0;
};

class Sink {
 public:
  virtual ~Sink() = default;
  virtual std::optional<Offset> recover() = 0;
  virtual std::optional<Offset> committed_offset() = 0;
  virtual void commit(const std::vector<ChangeEvent>& batch, const Offset& next) = 0;
  virtual void commit_records(const std::vector<Record>& /*records*/, const Offset& /*next*/) {
    throw Error("this sink does not take replayed records");
  }
  virtual std::vector<SinkMetric> metrics() const { return {}; }
};

}  // namespace cdc
