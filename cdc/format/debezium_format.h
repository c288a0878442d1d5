// DebeziumFormat: records shaped like Debezium's with Kafka's JsonConverter.
//
//   key   {"schema": <Key struct of the key columns>, "payload": {...}}
//         nullopt when the table has no key or the event has no row
//         (truncate); control events have their own keys (debezium_control.h).
//   value {"schema": <Envelope>, "payload": {"before", "after", "source",
//         "transaction", "op", "ts_ms", "ts_us", "ts_ns"}}
//
// The payload field order is the order of Debezium's envelope schema (current
// Debezium places `transaction` right after `source`). `ts_*` of the envelope
// are the capture (processing) time, those of `source` the commit time.
// With `schemas: false` key and value are the bare payload objects.
//
// A before image lists every column, null where the database logged none.
// An after image lists the table's columns in order; one the Row marks
// missing (an unchanged TOASTed value) holds the placeholder of
// unchanged_placeholder.h (options.unchanged kPlaceholder, as Debezium) or is
// left out (kOmit, or a column type without a placeholder shape) rather than
// shown as a false null; Debezium's schema still lists it.
//
// Per table version the rendered schemas and escaped column names are cached
// (SchemaCache), so the hot path only writes values.
#pragma once

#include <memory>

#include "cdc/format/json_format.h"
#include "cdc/format/json_writer.h"
#include "cdc/format/schema_cache.h"

namespace cdc::format {

class DebeziumFormat final : public JsonFormat {
 public:
  explicit DebeziumFormat(const FormatOptions& options);

  bool append_key(const ChangeEvent& ev, OutBuffer& out) const override;
  void append_value(const ChangeEvent& ev, OutBuffer& out) const override;

  // Number of cached table entries (for tests).
  size_t cached_tables() const { return cache_.size(); }

 private:
  struct Entry;

  std::shared_ptr<const Entry> entry(const ChangeEvent& ev) const;
  void write_payload(JsonWriter& w, const Entry& e, const ChangeEvent& ev) const;
  // absent_as_null: columns the row lacks are written as null, not left out.
  void write_row(JsonWriter& w, const Entry& e, const Row& row, bool absent_as_null) const;

  FormatOptions options_;
  SchemaCache<Entry> cache_;
};

}  // namespace cdc::format
