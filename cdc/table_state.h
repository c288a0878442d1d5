// TableState and BuildTableState: a table's rows as its change events leave
// them -- the event-sourcing projection behind `cdcd state`.
//
// Applying a change (ChangeView, in commit order, keyed by the event key):
// c, r and u put the change's row under its key; d removes the key; t
// removes every row. An update that changes the key (Debezium envelopes
// carry the old key in the before image) removes the row under the old key.
// An update that leaves columns out because they did not
// change (unchanged TOASTed values: listed in the Debezium envelope's
// source.unchanged_toast; a flat record simply omits them) keeps their
// previous values. Rows are kept as their JSON text, so memory grows with
// the number of live keys, not with the length of the history.
//
// "As of" a time T means event time: every transaction whose source commit
// time is at or before T, and none after. All events of a transaction carry
// its commit time, so a transaction is applied whole or not at all.
// Snapshot rows (op r) carry the time their snapshot read them. MySQL and
// MariaDB log commit times in whole seconds: there, T cuts between seconds.
//
// "At an event" E (an event id, header cdcd.event_id, or a transaction id:
// an event id without its final ":<index>") means every event up to E's
// transaction, that transaction whole, and nothing after: the capture is
// read in its order up to the end of that transaction. That needs one order
// over the whole capture: a file capture, or a topic with one partition.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "cdc/capture.h"
#include "cdc/format/envelope_reader.h"

namespace cdc {

class TableState {
 public:
  TableState();
  ~TableState();
  TableState(TableState&&) noexcept;
  TableState& operator=(TableState&&) noexcept;

  // Applies one change of the table; its key must be set (else Error).
  void apply(const ChangeView& change);
  size_t size() const { return rows_.size(); }
  // The row under `key` (its JSON text), or null.
  const std::string* find(std::string_view key) const;

  // The rows ordered by key (digit runs compare as numbers, so {"id":9}
  // comes before {"id":10}): one JSON object per line; or CSV with a
  // header of every column in order of first appearance (null: empty field;
  // strings unquoted unless they need CSV quoting; objects and arrays as
  // their JSON text).
  void write_jsonl(std::FILE* out) const;
  void write_csv(std::FILE* out) const;

 private:
  std::string merge_unchanged(const std::string& old_row, std::string_view new_row,
                              const std::vector<std::string>& columns, bool all_missing);

  std::unordered_map<std::string, std::string> rows_;
  struct Parser;
  std::unique_ptr<Parser> parser_;
};

struct StateQuery {
  std::string table;                // TableNameMatches against each change's table
  std::optional<int64_t> as_of_us;  // commit time bound (inclusive)
  std::string at_event;             // event or transaction id; empty: none
  // The unchanged-value placeholder the capture was written with.
  std::string toast_placeholder = kDebeziumUnavailableValue;
};

struct StateResult {
  TableState state;
  std::string table;                      // the qualified name the query matched
  uint64_t records = 0;                   // records read
  uint64_t applied = 0;                   // changes applied
  std::optional<int64_t> last_commit_us;  // of the last change applied
};

// Reads `capture` from its start and builds the state. CaptureError (a usage
// error) when no change of the table is in the capture, when the name
// matches two tables, when its changes have no key, when `at_event` is not
// in the capture or the capture has no single order.
StateResult BuildTableState(CaptureReader& capture, const StateQuery& query,
                            const std::function<void(const CaptureProgress&, uint64_t)>& progress);

}  // namespace cdc
