#include "cdc/stream_state.h"

#include "cdc/error.h"

namespace cdc {
namespace {

constexpr const char* kSnapshot = "snapshot";
constexpr const char* kIncremental = "incremental";

}  // namespace

StreamState StreamState::Split(const nlohmann::json& state) {
  StreamState s;
  if (!state.is_object()) {
    s.source = state;
    return s;
  }
  if (state.contains("phase") && state.contains("point")) {
    s.snapshot = SnapshotProgress::FromJson(state);  // the former PostgreSQL encoding
    return s;
  }
  s.source = state;
  if (auto it = state.find(kSnapshot); it != state.end()) {
    s.snapshot = SnapshotProgress::FromJson(*it);
    s.source.erase(kSnapshot);
  }
  if (auto it = state.find(kIncremental); it != state.end()) {
    s.incremental = *it;
    s.source.erase(kIncremental);
  }
  if (s.source.empty()) s.source = nullptr;
  return s;
}

Offset StreamState::SourceOffset(const Offset& offset) {
  return Offset{offset.tx, offset.index, Split(offset.state).source};
}

void AddCoordinatorState(Offset& o, const nlohmann::json& snapshot,
                         const nlohmann::json& incremental) {
  if (snapshot.is_null() && incremental.is_null()) return;
  o.resolve();
  if (!o.state.is_object()) {
    if (!o.state.is_null()) {
      throw Error("offset " + o.debug_string() +
                  ": a source state that is not an object cannot carry snapshot progress");
    }
    o.state = nlohmann::json::object();
  }
  if (!snapshot.is_null()) o.state[kSnapshot] = snapshot;
  if (!incremental.is_null()) o.state[kIncremental] = incremental;
}

}  // namespace cdc
