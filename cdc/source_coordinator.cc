#include "cdc/source_coordinator.h"

#include <spdlog/spdlog.h>

#include "cdc/error.h"
#include "cdc/stream_state.h"

namespace cdc {
namespace {

// Puts an interrupted snapshot's progress into every offset of the
// catch-up: until the unread tables are read, a restart must resume it.
class CatchUpEmitter : public Emitter {
 public:
  CatchUpEmitter(Emitter& out, nlohmann::json progress)
      : out_(out), progress_(std::move(progress)) {}
  bool emit(ChangeEvent&& ev) override {
    AddCoordinatorState(ev.next, progress_, nullptr);
    return out_.emit(std::move(ev));
  }
  Result try_emit_for(ChangeEvent& ev, std::chrono::milliseconds timeout) override {
    AddCoordinatorState(ev.next, progress_, nullptr);
    return out_.try_emit_for(ev, timeout);
  }

 private:
  Emitter& out_;
  const nlohmann::json progress_;
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
  if (IsSnapshotOffset(committed)) return;  // nothing of the log may go yet
  connector_.acknowledge(StreamState::SourceOffset(committed));
}

void SourceCoordinator::run(const std::optional<Offset>& from, Emitter& out,
                            std::stop_token stop) {
  const SnapshotMode mode = options_.snapshot.mode;
  const bool only_snapshot = mode == SnapshotMode::kInitialOnly;
  StreamFrom start;
  std::optional<SnapshotProgress> resume;
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
    if (!resume && only_snapshot) {
      spdlog::info("{}: snapshot: initial_only and a committed stream offset: nothing to do",
                   options_.context);
      return;
    }
  }
  const bool snapshot =
      ShouldSnapshot(mode, from.has_value(), resume.has_value(), snapshot_taken_);
  connector_.open(start.offset.has_value(), !only_snapshot);
  Closer closer{connector_};
  if (snapshot && !initial_snapshot(resume, start, out, stop)) return;
  connector_.stream(start, nullptr, out, stop);
}

bool SourceCoordinator::initial_snapshot(const std::optional<SnapshotProgress>& resume,
                                         StreamFrom& start, Emitter& out,
                                         std::stop_token stop) {
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
    CatchUpEmitter catch_up(out, state.to_json());
    if (!connector_.stream(start, point.get(), catch_up, stop)) return false;
  }
  SnapshotRequest req = point->request();
  req.progress = resume.value_or(SnapshotProgress{});
  req.progress.phase = "snapshot";
  req.progress.point = point->point();
  req.final_offset = at_point;
  req.finish_done = only_snapshot;
  if (!RunTableSnapshot(req, [&](size_t w) { return point->reader(w); }, out, stop)) {
    return false;
  }
  snapshot_taken_ = true;
  if (only_snapshot) return false;
  // The snapshot's end is not committed yet: the point must not be confirmed.
  start = {at_point, false};
  return true;
}

}  // namespace cdc
