// How far an initial snapshot got: the `state` of its offsets, and the
// bookkeeping that keeps that state small however many tables are captured.
//
// Tables are read in name order: workers take them one after another, and
// each worker holds one table at a time. So at any point of the emitted
// events, every table named at most the highest one emitted from (the
// frontier) is done, except the few that a worker holds (at most one per
// worker, plus one taken but not emitted from yet). The committed form says
// exactly that:
//
//   {phase: "snapshot" | "done", point: <source's point>,
//    through: {table: T, count: n, hash: "<16 hex digits>"},   (absent: none)
//    tables: {"<name>": {last_key: [text of each key column] | null,
//                        rows: n, done: bool}}}
//
// A table listed in `tables` is as its entry says. Any other table named at
// most T (byte order) is done; any other is not read yet. So a commit costs
// O(workers), not O(tables): 5,000 captured tables commit the same few
// hundred bytes as 2. `count` and `hash` (FNV-1a 64 over the sorted names,
// each ended by a NUL) describe the tables named at most T when the state was
// written: a resume compares them with the tables captured now and warns when
// they differ (SnapshotLedger::resumed_set_changed).
//
// What that means on a resume, per table named at most T: one created after
// the snapshot's point is captured whole by the catch-up from the committed
// offset (its changes since its creation are in the log), so taking it as
// done is exact; one that existed before and was only added to the pipeline
// since is not read (the warning says so; an incremental snapshot reads it).
//
// States written before `through` existed list every table; they still read
// (no `through`: an unlisted table is not read yet), and a run resumed from
// one lists the tables above its frontier it already finished until the
// frontier passes them.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace cdc {

struct SnapshotProgress {
  struct Table {
    std::optional<std::vector<std::string>> last_key;  // text forms, key order
    uint64_t rows = 0;
    bool done = false;
  };
  struct Through {
    std::string table;  // every unlisted table named at most this one is done
    uint64_t count = 0;
    uint64_t hash = 0;
  };
  std::string phase = "snapshot";  // "snapshot" or "done" (initial_only finished)
  nlohmann::json point;            // source-defined (an LSN, a binlog position...)
  std::optional<Through> through;
  std::map<std::string, Table> tables;  // listed tables, by qualified name

  // The state of `name` as described above.
  Table table(const std::string& name) const;

  nlohmann::json to_json() const;
  // Throws Error when `state` is not a snapshot state.
  static SnapshotProgress FromJson(const nlohmann::json& state);
};

// The entry of one table in to_json().
nlohmann::json SnapshotTableJson(const SnapshotProgress::Table& t);

// Every table of one snapshot run, in name order, with its state; gives the
// compact progress in O(listed tables).
class SnapshotLedger {
 public:
  // `names`: the tables the run captures (any order, no duplicates);
  // `resumed`: the progress it continues (its point is kept).
  SnapshotLedger(std::vector<std::string> names, const SnapshotProgress& resumed);

  size_t size() const { return names_.size(); }
  // Position of `name` in name order; Error when it is not captured.
  size_t position(const std::string& name) const;
  const std::string& name(size_t pos) const { return names_[pos]; }
  const SnapshotProgress::Table& state(size_t pos) const { return states_[pos]; }

  // The run emits from table `pos`: the frontier moves up to it.
  void touch(size_t pos);
  void set(size_t pos, SnapshotProgress::Table state);
  void set_phase(std::string phase) { phase_ = std::move(phase); }

  // The progress as of now, compact.
  SnapshotProgress progress() const;

  // Set when the resumed progress had a `through` and the tables captured
  // now named at most it are not those of then: "<n> then, <m> now".
  const std::optional<std::string>& resumed_set_changed() const { return set_changed_; }

 private:
  bool listed(size_t pos) const;
  void relist(size_t pos);

  std::string phase_;
  nlohmann::json point_;
  std::vector<std::string> names_;               // sorted
  std::vector<uint64_t> prefix_hash_;            // hash of names_[0..i]
  std::vector<SnapshotProgress::Table> states_;  // by position
  std::optional<size_t> through_;                // the frontier's position
  std::set<size_t> listed_;                      // positions in progress().tables
  std::optional<std::string> set_changed_;
};

}  // namespace cdc
