// Replay: publishes what a sink committed (read through a CaptureReader)
// through another sink, exactly once -- `cdcd replay`.
//
// Records go out as they were captured: topic, key, value and headers byte
// for byte, in capture order (so per-key order holds), optionally filtered
// (tables, a commit-time window) and with topics renamed. No Format is
// involved: the target writes them with Sink::commit_records().
//
// Exactly once. The target keeps the replay's own committed position, as it
// keeps a pipeline's offset: each batch is committed together with
//   {tx: "replay:<name>", index: <records written so far>,
//    state: {"replay": {"name", "from", "options", "position", "read", "written"}}}
// where `position` is the reader's position after the batch's last record.
// A replay killed at any moment and started again recovers that offset,
// seeks the capture there and goes on: no record is lost or written twice.
// While a filter drops everything, the position is still committed every
// `commit_every`, so a restart does not read the dropped part again.
//
// Before anything is written the target's committed offset must be this
// replay's (same name, same capture, same options) or absent; anything else
// -- a pipeline's own output, another replay -- is a CaptureError. With a
// table filter, a fresh replay first checks that the capture holds a change
// of every named table (reading until it has seen each), so a misspelt table
// writes nothing. A TransientError (broker or disk briefly gone) is retried
// with backoff from the committed position, as pipelines do.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "cdc/capture.h"
#include "cdc/sink.h"

namespace cdc {

struct ReplayOptions {
  std::string name = "replay";
  // Only changes of these tables (TableNameMatches: "public.orders" or
  // "orders"), with their tombstones; other records (heartbeats, schema
  // changes) only when no filter is set. Empty: every table.
  std::vector<std::string> tables;
  // Only changes committed in [since, until] (source commit time, µs).
  std::optional<int64_t> since_us, until_us;
  std::map<std::string, std::string> topic_renames;  // old topic -> new topic
  std::string topic_prefix;                          // prepended after renaming
  size_t max_records = 10000;                        // per committed batch
  uint64_t max_bytes = uint64_t{4} << 20;
  std::chrono::milliseconds commit_every{2000};
  int max_retries = 10;  // consecutive TransientErrors before giving up
  std::chrono::milliseconds initial_backoff{500}, max_backoff{30000};

  bool filtered() const { return !tables.empty() || since_us || until_us; }
  // What must match for a replay to resume (filters and renames).
  nlohmann::json identity() const;
};

struct ReplayResult {
  bool resumed = false;    // a committed position was found
  uint64_t read = 0;       // records read from the capture, in all runs
  uint64_t written = 0;    // records committed to the target, in all runs
  bool completed = false;  // the capture's end was reached (not stopped)
};

struct ReplayProgress {
  CaptureProgress capture;
  uint64_t read = 0, written = 0;
};

// Opens the capture afresh (at its start): once per attempt.
using CaptureOpener = std::function<std::unique_ptr<CaptureReader>()>;

ReplayResult RunReplay(const CaptureOpener& open, Sink& target, const ReplayOptions& options,
                       const std::function<void(const ReplayProgress&)>& on_progress,
                       std::stop_token stop);

}  // namespace cdc
