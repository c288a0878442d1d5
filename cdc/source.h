// Source: reads a database's change log and emits ChangeEvents in commit order.
//
// Contract:
//  - run() starts at `from` (the sink's last committed offset) and emits every
//    event after it exactly once and in order; with no offset (first run) it
//    applies its snapshot policy. It returns when stop is requested or the
//    source is exhausted, and throws on failure (TransientError to be resumed
//    from the committed offset, Error to stop the pipeline).
//  - Every emitted event's `next` is an offset that, given back to run(),
//    resumes right after that event.
//  - acknowledge(o) is called after everything up to `o` is durable in the
//    sink; the source may then release that part of the log. It never
//    receives an offset that was not committed.
//  - Constructors only parse configuration: they must not connect, so that
//    `cdcd validate` can build every pipeline safely.
#pragma once

#include <chrono>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "cdc/change_event.h"
#include "cdc/error.h"
#include "cdc/offset.h"
#include "cdc/snapshot_status.h"

namespace cdc {

// Where a source puts its events: the pipeline's byte-bounded queue.
class Emitter {
 public:
  enum class Result { kEmitted, kTimedOut, kStopping };

  virtual ~Emitter() = default;
  // Blocks while the queue is full (backpressure). Returns false, dropping
  // the event, when the pipeline is stopping.
  virtual bool emit(ChangeEvent&& ev) = 0;
  // Gives up after `timeout`, leaving `ev` intact, so that a source can do
  // housekeeping (keepalives) while it is held back.
  virtual Result try_emit_for(ChangeEvent& ev, std::chrono::milliseconds timeout) = 0;
  // A hint, not a promise: the source has emitted everything the database
  // has sent so far and is about to wait for more. The pipeline then commits
  // what it holds at once instead of lingering for a fuller batch, so a quiet
  // or moderately busy database sees its changes in the sink within one
  // commit's time. Sources that cannot tell never call it (batches then wait
  // up to `linger`).
  virtual void idle() {}
};

class Source {
 public:
  virtual ~Source() = default;
  virtual void run(const std::optional<Offset>& from, Emitter& out, std::stop_token stop) = 0;
  // Thread-safe; called from the pipeline's commit thread.
  virtual void acknowledge(const Offset& committed) = 0;

  // Asks for an incremental snapshot of `tables` (only rows matching
  // `where`, SQL, when not empty) and returns the request's id. The request
  // is durable once this returns (database sources write it to their signal
  // table), and runs while the source streams. Thread-safe. Throws
  // ConfigError for a bad request (a table not captured, no key, bad SQL),
  // Error when it cannot be written; the default: not supported.
  virtual std::string request_snapshot(const std::vector<std::string>& /*tables*/,
                                       const std::string& /*where*/) {
    throw ConfigError("this source does not take snapshot requests");
  }
  // The running snapshot, if any. Thread-safe.
  virtual SnapshotStatus snapshot_status() const { return {}; }
  // How many bytes of the database's log lie past the last acknowledged
  // offset (what the sink committed), as of the source's last look at the
  // server's log end; nullopt when unknown (not streaming yet, or a source
  // without a log). Thread-safe.
  virtual std::optional<uint64_t> lag_bytes() const { return std::nullopt; }
};

}  // namespace cdc
