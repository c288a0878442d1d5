// Format: renders a ChangeEvent as the key and value bytes of one record.
//
// Two envelopes exist. `debezium` writes what Debezium's JSON converter writes
// (key {schema, payload}; value {schema, payload: {before, after, source,
// transaction, op, ts_ms, ts_us, ts_ns}}) so consumers written for Debezium
// work unchanged;
// `schemas: false` leaves out the schema blocks. `flat` writes the after-image
// (the before-image for deletes) as a plain JSON object with readable values
// plus __op, __table, __source_ts_ms, __event_id and __deleted.
// Control events render like Debezium's heartbeat, transaction metadata and
// schema change messages, keys included.
//
// A Format is immutable and thread-safe once built.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "cdc/change_event.h"
#include "cdc/out_buffer.h"

namespace cdc {

// Debezium's default unavailable.value.placeholder.
inline constexpr const char* kDebeziumUnavailableValue = "__debezium_unavailable_value";

struct FormatOptions {
  enum class Envelope { kDebezium, kFlat };
  enum class DecimalHandling { kPrecise, kString, kDouble };
  enum class TimePrecision { kAdaptive, kConnect, kIsoString };
  // MySQL BIGINT UNSIGNED, as Debezium's bigint.unsigned.handling.mode:
  // kLong an int64 (values past 2^63-1 read negative, as Debezium's default),
  // kPrecise a Decimal of scale 0.
  enum class BigIntUnsigned { kLong, kPrecise };

  Envelope envelope = Envelope::kDebezium;
  bool schemas = true;
  bool tombstones = true;  // a null-valued record after each delete (sinks act on it)
  DecimalHandling decimal_handling = DecimalHandling::kPrecise;
  TimePrecision time_precision = TimePrecision::kAdaptive;
  BigIntUnsigned bigint_unsigned = BigIntUnsigned::kLong;
  // The envelope's `transaction` block (id, total and per-table order);
  // null without, as Debezium's provide.transaction.metadata. Set from the
  // sink's transaction_metadata, which also publishes BEGIN/END records.
  bool transaction_metadata = false;
  // Values a source knows are unchanged but did not send (Row::missing of an
  // `after` image: PostgreSQL's unchanged TOAST). kPlaceholder, as Debezium:
  // the column holds `toast_placeholder` in the column's shape (see
  // debezium_format.h) and the source block has no `unchanged_toast`. kOmit:
  // the column is left out and source.unchanged_toast names it. The flat
  // envelope always leaves such columns out.
  enum class Unchanged { kPlaceholder, kOmit };
  Unchanged unchanged = Unchanged::kPlaceholder;
  std::string toast_placeholder = kDebeziumUnavailableValue;
};

class Format {
 public:
  virtual ~Format() = default;
  // Serialized key; nullopt for a null key (a table without key columns).
  virtual std::optional<std::string> key(const ChangeEvent& ev) const = 0;
  // Serialized value of the event.
  virtual std::string value(const ChangeEvent& ev) const = 0;

  // The same bytes appended to `out`, where a sink sends them from: the
  // formats on the hot path render straight into it instead of into a string
  // of their own. append_key returns false for a null key and leaves `out`
  // as it was. A render that throws leaves `out` as it was too.
  virtual bool append_key(const ChangeEvent& ev, OutBuffer& out) const {
    std::optional<std::string> k = key(ev);
    if (k) out.append(*k);
    return k.has_value();
  }
  virtual void append_value(const ChangeEvent& ev, OutBuffer& out) const { out.append(value(ev)); }
  // Every key and value is one line of JSON text: a JSON lines sink may
  // embed them as they are.
  virtual bool writes_json() const { return false; }
};

std::unique_ptr<Format> MakeFormat(const FormatOptions& options);

}  // namespace cdc
