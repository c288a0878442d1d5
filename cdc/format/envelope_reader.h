// EnvelopeReader: what a record says about its change, read back from the
// bytes the formats wrote -- the inverse of the envelopes, for the filters of
// `cdcd replay` and for `cdcd state`.
//
// Values it recognises (whatever the pipeline's format was; fields in any
// order):
//   Debezium with schemas  {"schema": ..., "payload": {"before", "after",
//                           "source", ..., "op", ...}}
//   Debezium without       {"before", "after", "source", ..., "op", ...}
//   flat                   {<columns>..., "__op", "__table", "__source_ts_ms",
//                           "__event_id", "__deleted"}
// A record without a value is a tombstone. Anything else -- heartbeats,
// schema changes, transaction metadata (their op, if any, is not one of
// c/u/d/r/t), records cdcd did not write, values that are not JSON objects --
// is kOther.
//
// The key's identity is what stays the same for one row across its events:
// the key's "payload" under Debezium with schemas (the schema block may be
// rendered differently after a schema change), else the key bytes.
//
// A value in one of these shapes whose fields have the wrong types (a source
// block that is not an object, an op that is not a string...) is an Error
// naming the topic: such a record cannot be applied, and skipping it would
// be silent data loss.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cdc/format.h"
#include "cdc/record.h"
#include "cdc/table_pattern.h"

namespace cdc {

struct ChangeView {
  enum class Kind { kChange, kTombstone, kOther };
  Kind kind = Kind::kOther;
  char op = 0;  // kChange: 'c', 'u', 'd', 'r' or 't'
  // Qualified table, "database.schema.table" or "database.table" (the parts
  // the envelope names); empty when it names none.
  std::string table;
  std::optional<int64_t> commit_ts_us;  // source commit time (event time)
  std::optional<std::string_view> key;  // the key's identity; nullopt: null key
  // The row after the change as a JSON object (for c, u, r; empty for d, t).
  std::string_view row;
  // Columns that `row` leaves out because their value did not change
  // (unchanged TOASTed values); the previous value still holds.
  std::vector<std::string> unchanged;
  // The flat envelope names no unchanged columns: any column the row lacks
  // may be one.
  bool lacks_unchanged = false;
  // An update that changed the row's key (Debezium envelopes): the identity
  // of the key before it, built from the before image in the key's shape.
  std::optional<std::string> old_key;
};

// A Debezium `after` image's field holding the unchanged-value placeholder
// (`toast_placeholder`, in any of its shapes, see unchanged_placeholder.h) is
// read as unchanged: left out of `row` and named in `unchanged`, exactly as
// if the pipeline had been run with `unchanged_toast: omit`.
class EnvelopeReader {
 public:
  explicit EnvelopeReader(const std::string& toast_placeholder = kDebeziumUnavailableValue);
  ~EnvelopeReader();
  // Views in `out` stay valid until the next read().
  void read(const Record& record, ChangeView& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cdc
