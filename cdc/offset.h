// Offset: where a source resumes, at event granularity.
//
// An Offset names the *next* event to deliver: the transaction it belongs to
// (`tx`, an opaque source-defined position such as a PostgreSQL LSN or a MySQL
// GTID) and how many events of that transaction were already delivered
// (`index`). A batch may therefore end in the middle of a huge transaction
// and still resume exactly: the source re-reads the transaction and skips the
// first `index` events. `state` is extra source-defined progress that must be
// committed together with the position (e.g. how far a snapshot got).
//
// Only the source that made an Offset interprets it; the pipeline and sinks
// treat it as an opaque value that they store and give back verbatim.
//
// Deferred state. Every event carries the offset after it, but only the last
// event of a batch has its offset committed. A source whose state is costly
// to build per event (a snapshot's progress over every table) may set
// `deferred`; resolve() then builds the state from it and from `state` as it
// stands (the part beside it, e.g. the connector's own; null for none). The pipeline resolves the
// offset it commits, so sinks, stores and the source's acknowledgement only ever see built states;
// code that reads `state` of an event's offset before that calls resolve() first.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace cdc {

class DeferredOffsetState {
 public:
  virtual ~DeferredOffsetState() = default;
  // The whole state, given the part set beside this one in the Offset.
  virtual nlohmann::json build(const nlohmann::json& beside) const = 0;
  // The heap this state holds for one event alone (not what it shares with
  // other events), for ChangeEvent::approx_bytes.
  virtual size_t approx_bytes() const { return 0; }
};

// A state built once and shared by many offsets: the events of one
// transaction all resume with the same source state (e.g. the GTIDs before
// it), so it is made once per transaction instead of once per event. A part
// set beside it must be an object; its keys are added to this one's.
class SharedOffsetState : public DeferredOffsetState {
 public:
  explicit SharedOffsetState(nlohmann::json state) : state_(std::move(state)) {}
  nlohmann::json build(const nlohmann::json& beside) const override;

 private:
  const nlohmann::json state_;
};

struct Offset {
  std::string tx;
  uint64_t index = 0;
  nlohmann::json state;  // null when the source keeps no extra state; with `deferred`: a part
  std::shared_ptr<const DeferredOffsetState> deferred;  // set: `state` is built from it

  Offset() = default;
  Offset(std::string tx, uint64_t index, nlohmann::json state = nullptr)
      : tx(std::move(tx)), index(index), state(std::move(state)) {}

  // Builds a deferred state into `state`; no-op otherwise.
  void resolve();
  // The state, deferred or not.
  nlohmann::json resolved_state() const;
  // Equal position and state (a deferred state compares as built).
  bool operator==(const Offset& other) const;

  nlohmann::json to_json() const;
  // Throws Error naming `where` when `j` is not an offset.
  static Offset from_json(const nlohmann::json& j, const std::string& where);
  // "tx#index state" for logs and errors; a state over 400 bytes is cut.
  std::string debug_string() const;
};

}  // namespace cdc
