#include "cdc/source_coordinator.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "cdc/error.h"
#include "cdc/incremental_snapshot.h"
#include "cdc/snapshot_signal.h"
#include "cdc/stream_state.h"

namespace cdc {
namespace {

// Puts an interrupted snapshot's progress into every offset of the
// catch-up: until the unread tables are read, a restart must resume it.
// Signals found on the way are not acted on (and never emitted).
class CatchUpEmitter : public Emitter {
 public:
  CatchUpEmitter(Emitter& out, nlohmann::json progress, std::string signal_table,
                 std::string context)
      : out_(out),
        progress_(std::move(progress)),
        signal_table_(std::move(signal_table)),
        context_(std::move(context)) {}
  bool emit(ChangeEvent&& ev) override {
    if (skip(ev)) return true;
    AddCoordinatorState(ev.next, progress_, nullptr);
    return out_.emit(std::move(ev));
  }
  Result try_emit_for(ChangeEvent& ev, std::chrono::milliseconds timeout) override {
    if (skip(ev)) return Result::kEmitted;
    AddCoordinatorState(ev.next, progress_, nullptr);
    return out_.try_emit_for(ev, timeout);
  }
  void idle() override { out_.idle(); }

 private:
  bool skip(const ChangeEvent& ev) const {
    if (!IsSignalEvent(ev, signal_table_)) return false;
    std::optional<SnapshotSignal> s = ReadSignal(ev);
    if (s &&
        (s->kind == SnapshotSignal::Kind::kExecute || s->kind == SnapshotSignal::Kind::kStop)) {
      spdlog::warn(
          "{}: signal {} ({}) came while an interrupted initial snapshot is resumed: "
          "ignored; send it again once the snapshot is done",
          context_, s->id, s->type);
    }
    return true;
  }

  Emitter& out_;
  const nlohmann::json progress_;
  const std::string signal_table_;
  const std::string context_;
};

// Closes the connector however run() ends.
struct Closer {
  SourceConnector& c;
  ~Closer() {
    try {
      c.close();
    } catch (const std::exception& e) {
      spdlog::warn("{}: closing: {}", c.context(), e.what());
    }
  }
};

}  // namespace

SourceCoordinator::SourceCoordinator(CoordinatorOptions options, SourceConnector& connector)
    : options_(std::move(options)), connector_(connector) {}

void SourceCoordinator::acknowledge(const Offset& committed) {
  {
    std::lock_guard lock(ack_mu_);
    last_ack_ = committed;
  }
  acked_.notify_all();
  if (IsSnapshotOffset(committed)) return;  // nothing of the log may go yet
  connector_.acknowledge(StreamState::SourceOffset(committed));
}

void SourceCoordinator::run(const std::optional<Offset>& from, Emitter& out, std::stop_token stop) {
  const SnapshotMode mode = options_.snapshot.mode;
  const bool only_snapshot = mode == SnapshotMode::kInitialOnly;
  StreamFrom start;
  std::optional<SnapshotProgress> resume;
  std::optional<IncrementalProgress> incremental;
  if (from && IsSnapshotOffset(*from)) {
    // Committed while reading the tables: the stream would have started at
    // the snapshot's point.
    SnapshotProgress progress = SnapshotProgress::FromJson(from->state);
    if (progress.phase == "done") {
      if (only_snapshot) {
        spdlog::info("{}: the initial_only snapshot was completed before: nothing to do",
                     options_.context);
        return;
      }
      throw Error(options_.context + ": the committed offset " + from->debug_string() +
                  " is the end of an initial_only snapshot, which keeps no stream position to "
                  "continue from: remove the sink's committed offset (and its data) to start "
                  "over with this `snapshot` mode");
    }
    start = {connector_.point_offset(progress.point), true};
    resume = std::move(progress);
  } else if (from) {
    StreamState state = StreamState::Split(from->state);
    start = {Offset{from->tx, from->index, state.source}, true};
    // Stream offsets written while catching up an interrupted snapshot carry
    // its progress: the tables are not all read yet.
    resume = std::move(state.snapshot);
    if (!state.incremental.is_null())
      incremental = IncrementalProgress::FromJson(state.incremental);
    if (!resume && only_snapshot) {
      spdlog::info("{}: snapshot: initial_only and a committed stream offset: nothing to do",
                   options_.context);
      return;
    }
  }
  const bool snapshot = ShouldSnapshot(mode, from.has_value(), resume.has_value(), snapshot_taken_);
  connector_.open(start.offset.has_value(), !only_snapshot);
  Closer closer{connector_};
  if (snapshot && !initial_snapshot(resume, start, out, stop)) return;
  if (incremental && !connector_.signals_available()) {
    throw Error(options_.context +
                ": the committed offset carries a running incremental "
                "snapshot, but the signal table " +
                connector_.signal_table() +
                " is not available (see the warning above): create it, or remove the offset's "
                "\"incremental\" part to abandon the snapshot");
  }
  if (!snapshot && !start.offset) {
    if (std::optional<ChangeEvent> marker = connector_.log_end_marker()) {
      Offset at = marker->next;
      if (!commit_first(std::move(*marker), out, stop)) return;
      start = {std::move(at), true};
    }
  }
  sync_captured_tables(!snapshot && from.has_value());
  IncrementalOptions io{options_.context, options_.pipeline, options_.snapshot.chunk_size};
  IncrementalSnapshot windows(io, connector_, tracker_, out, start.offset, std::move(incremental));
  connector_.stream(start, nullptr, windows, stop);
}

bool SourceCoordinator::commit_first(ChangeEvent marker, Emitter& out, std::stop_token stop) {
  const Offset at = marker.next;
  spdlog::info("{}: no committed offset: committing the log's end {} before streaming",
               options_.context, at.debug_string());
  if (!out.emit(std::move(marker))) return false;
  std::unique_lock lock(ack_mu_);
  return acked_.wait(lock, stop, [&] {
    return last_ack_ && last_ack_->tx == at.tx && last_ack_->index == at.index;
  });
}

void SourceCoordinator::sync_captured_tables(bool snapshot_added) {
  if (!connector_.signals_available()) return;
  std::vector<std::string> current = connector_.captured_tables();
  std::sort(current.begin(), current.end());
  std::unique_ptr<IncrementalReader> reader = connector_.incremental_reader();
  const std::string id = options_.pipeline + "-tables";
  std::optional<std::vector<std::string>> stored;
  if (std::optional<std::string> text = reader->read_signal(id)) {
    nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_array() && std::all_of(j.begin(), j.end(), [](auto& e) { return e.is_string(); })) {
      stored = j.get<std::vector<std::string>>();
    }
  }
  if (stored == current) return;
  std::vector<SignalRow> rows = {{id, kCapturedTables, nlohmann::json(current).dump()}};
  if (snapshot_added && stored) {
    std::vector<std::string> added;
    std::set_difference(current.begin(), current.end(), stored->begin(), stored->end(),
                        std::back_inserter(added));
    if (!added.empty()) {
      std::string names;
      for (const std::string& t : added) names += (names.empty() ? "" : ", ") + t;
      spdlog::info(
          "{}: tables added to the pipeline since it last ran: {}; they are snapshotted "
          "incrementally while streaming",
          options_.context, names);
      rows.push_back({NewSignalId("added"), kExecuteSnapshot,
                      ExecuteSnapshotData(added, "", options_.pipeline)});
    }
  }
  try {
    reader->write_signals(rows);
  } catch (const TransientError&) {
    throw;
  } catch (const std::exception& e) {
    // Stopping is deliberate: without this record, tables added while the
    // pipeline was down would never get their existing rows.
    throw Error(options_.context + ": cannot record the captured tables in the signal table " +
                connector_.signal_table() + " (" + e.what() +
                "): grant the pipeline's user INSERT and UPDATE on it (docs/operations.md)");
  }
}

std::string SourceCoordinator::request_snapshot(const std::vector<std::string>& tables,
                                                const std::string& where) {
  if (tables.empty()) throw ConfigError("a snapshot request names no table");
  std::unique_ptr<IncrementalReader> reader = connector_.incremental_reader();
  std::vector<std::string> names;
  for (const std::string& t : tables) {
    std::optional<SnapshotTable> d = reader->describe(t);
    if (!d) throw ConfigError("pipeline " + options_.pipeline + " captures no table " + t);
    if (d->order_key.empty()) {
      throw ConfigError("table " + d->name +
                        " has no primary key, so its rows cannot be told apart: name unique "
                        "columns for it in the source's snapshot key_columns");
    }
    if (!where.empty()) {
      try {
        reader->read(*d, std::nullopt, 1, where);
      } catch (const TransientError&) {
        throw;
      } catch (const Error& e) {
        throw ConfigError("where " + where + " does not work on " + d->name + ": " + e.what());
      }
    }
    names.push_back(d->name);
  }
  const std::string id = NewSignalId("snapshot");
  reader->write_signals(
      {{id, kExecuteSnapshot, ExecuteSnapshotData(names, where, options_.pipeline)}});
  spdlog::info("{}: incremental snapshot {} requested", options_.context, id);
  return id;
}

bool SourceCoordinator::initial_snapshot(const std::optional<SnapshotProgress>& resume,
                                         StreamFrom& start, Emitter& out, std::stop_token stop) {
  const bool only_snapshot = options_.snapshot.mode == SnapshotMode::kInitialOnly;
  std::unique_ptr<ConsistentPoint> point = connector_.open_point();
  const Offset at_point = connector_.point_offset(point->point());
  // initial_only has no stream to catch up with: its rows are each read
  // once, the unfinished tables at the new point.
  if (resume && !only_snapshot) {
    spdlog::info(
        "{}: resuming an interrupted snapshot: streaming from {} to the new point {}, then "
        "reading the rest of the tables there",
        options_.context, start.offset ? start.offset->debug_string() : "the start",
        at_point.debug_string());
    SnapshotProgress state = *resume;
    state.phase = "snapshot";
    CatchUpEmitter catch_up(out, state.to_json(),
                            connector_.signals_available() ? connector_.signal_table() : "",
                            options_.context);
    if (!connector_.stream(start, point.get(), catch_up, stop)) return false;
  }
  SnapshotRequest req = point->request();
  req.progress = resume.value_or(SnapshotProgress{});
  req.progress.phase = "snapshot";
  req.progress.point = point->point();
  req.final_offset = at_point;
  req.finish_done = only_snapshot;
  req.tracker = &tracker_;
  if (!RunTableSnapshot(
          req, [&](size_t w) { return point->reader(w); }, out, stop)) {
    return false;
  }
  snapshot_taken_ = true;
  if (only_snapshot) return false;
  // The snapshot's end is not committed yet: the point must not be confirmed.
  start = {at_point, false};
  return true;
}

}  // namespace cdc
