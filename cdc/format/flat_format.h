// FlatFormat: one plain JSON object per event, for consumers that want rows
// rather than envelopes (what Debezium's ExtractNewRecordState SMT yields
// with add.fields=op,table,source.ts_ms and delete rewriting).
//
//   key    the key columns as an object {"id": 1}; nullopt when the table
//          has no key or the event has no row (truncate). Control events
//          use the Debezium control key payloads ({"serverName"}, {"id"},
//          {"databaseName"}).
//   value  the after-image (the before-image for deletes, nothing for
//          truncate) with readable values (readable_value.h), columns the
//          Row marks missing left out, followed by
//            "__op"            "c", "u", "d", "r" or "t"
//            "__table"         qualified table name, "db.schema.table"
//            "__source_ts_ms"  commit time, ms since the epoch
//            "__event_id"      the event id (stable across replays)
//            "__deleted"       "true" for deletes, else "false": strings, as
//                              ExtractNewRecordState writes them
//          Control events: the fields of the Debezium control payload
//          (debezium_control.h), then "__op" (OpName: "heartbeat",
//          "schema_change", "tx_begin", "tx_end"), "__table" (null when the
//          event concerns no table), "__source_ts_ms" and "__event_id".
#pragma once

#include <memory>

#include "cdc/format/json_format.h"
#include "cdc/format/json_writer.h"
#include "cdc/format/schema_cache.h"

namespace cdc::format {

class FlatFormat final : public JsonFormat {
 public:
  // Flat values are always readable: decimal_handling, time_precision and
  // schemas do not apply.
  FlatFormat() = default;

  bool append_key(const ChangeEvent& ev, OutBuffer& out) const override;
  void append_value(const ChangeEvent& ev, OutBuffer& out) const override;

 private:
  struct Entry;

  std::shared_ptr<const Entry> entry(const ChangeEvent& ev) const;
  void control_value(const ChangeEvent& ev, OutBuffer& out) const;

  SchemaCache<Entry> cache_;
};

}  // namespace cdc::format
