// Control events (heartbeat, transaction begin/end, schema change) in the
// shapes Debezium gives its heartbeat, transaction metadata and schema change
// topics. Key and value payloads (field order = Debezium's schema order):
//
//   heartbeat      key {serverName}
//                  value {ts_ms}                         commit time of the event
//   tx_begin/end   key {id}
//                  value {status "BEGIN"|"END", id, event_count, data_collections
//                         [{data_collection, event_count}], ts_ms}
//                  event_count and data_collections come from control["event_count"]
//                  and control["data_collections"] on END, null on BEGIN or when absent.
//                  id is source.tx_id (tx->id when that is empty).
//   schema_change  key {databaseName}
//                  value {source, ts_ms, databaseName, schemaName, ddl, tableChanges}
//                  ddl is control["ddl"] (null when absent); tableChanges has one
//                  entry {type (control["type"], default "ALTER"), id ("schema"."table",
//                  or "db"."table" without a schema), table} describing the event's
//                  new TableSchema (table null when the event has none, e.g. DROP).
//                  Column entries: name, jdbcType (java.sql.Types code derived from
//                  the logical type), nativeType null, typeName and typeExpression (the
//                  source type without its modifiers), charsetName null, length,
//                  scale (decimal scale, or fractional digits of temporal types),
//                  position (1-based), optional, autoIncremented false, generated
//                  false, comment null, defaultValueExpression null, enumValues.
//
// Schema names: io.debezium.connector.common.ServerNameKey / Heartbeat /
// TransactionMetadataKey / TransactionMetadataValue, and
// <connector namespace>.SchemaChangeKey / SchemaChangeValue.
#pragma once

#include <optional>
#include <string>

#include "cdc/change_event.h"
#include "cdc/format.h"
#include "cdc/format/json_writer.h"

namespace cdc::format {

std::optional<std::string> DebeziumControlKey(const ChangeEvent& ev, const FormatOptions& o);
std::string DebeziumControlValue(const ChangeEvent& ev, const FormatOptions& o);

// The members of the key / value payload objects, written into an object the
// caller opened (the flat format appends its own fields after them).
void WriteControlKeyFields(JsonWriter& w, const ChangeEvent& ev);
void WriteControlValueFields(JsonWriter& w, const ChangeEvent& ev, const FormatOptions& options);

}  // namespace cdc::format
