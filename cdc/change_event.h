// ChangeEvent: one committed row change (or control event), immutable once
// built by a source.
//
// Every event is keyed (by its table's key columns), carries its schema, and
// two times: when the database committed it (source.commit_ts_us, event time)
// and when cdcd captured it (capture_ts_us, processing time). `id` is derived
// from the source position only, so a replay of the same log yields the same
// ids and consumers can de-duplicate. `next` is the Offset right after this
// event: committing a batch commits the `next` of its last event.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cdc/offset.h"
#include "cdc/table_schema.h"
#include "cdc/value.h"

namespace cdc {

enum class Op {
  kCreate,
  kUpdate,
  kDelete,
  kTruncate,
  kRead,  // a row read by a snapshot
  // Control events: sinks may route them separately or drop them.
  kHeartbeat,     // "every change committed before source.commit_ts_us was delivered"
  kSchemaChange,  // schema now points at the new version; control holds details
  kTxBegin,
  kTxEnd,
};

// Debezium's one-letter op code for data ops ("c", "u", "d", "t", "r");
// a lower-case name for control ops ("heartbeat", ...).
const char* OpName(Op op);
bool IsDataOp(Op op);

// kIncremental: a row read by an incremental snapshot while streaming.
enum class SnapshotMark { kFalse, kTrue, kFirst, kFirstInTable, kLastInTable, kLast, kIncremental };
const char* SnapshotMarkName(SnapshotMark m);  // "false", "true", "first", ...

// A connector-specific field of the source block (lsn, xmin, file, pos, gtid...).
struct SourceField {
  std::string name;
  ColumnType type;  // kInt32, kInt64, kString or kBoolean
  Value value;      // may be null (only when optional)
  // Whether the field's schema is optional; Debezium declares some fields of
  // its connectors' source blocks required (MySQL's file, pos, row...).
  bool optional = true;
};

// The source field naming, comma-joined, the columns an event's `after`
// image lacks because they did not change (Row::missing). Formats that write
// a placeholder in their place leave this field out.
inline constexpr const char* kUnchangedToastField = "unchanged_toast";

// Debezium's `source.sequence` of a connector that orders changes by log
// position (PostgreSQL): the position where the previous transaction's commit
// ended, null when none was seen since the stream started, and this change's
// own position. Written as the JSON text ["<last_commit>","<position>"].
struct SourceSequence {
  std::optional<uint64_t> last_commit;
  uint64_t position = 0;
};

struct SourceInfo {
  std::string connector;    // "postgresql", "mysql", "mariadb", "generator"
  std::string server_name;  // logical server name: the pipeline's name by default
  TableId table;
  int64_t commit_ts_us = 0;  // event time
  SnapshotMark snapshot = SnapshotMark::kFalse;
  std::string tx_id;                       // source transaction id; empty if none
  std::vector<SourceField> fields;         // connector-specific, in presentation order
  std::optional<SourceSequence> sequence;  // nullopt: `sequence` is null
};

struct TxInfo {
  std::string id;
  uint64_t total_order = 0;            // 1-based position within the transaction
  uint64_t data_collection_order = 0;  // 1-based position among the same table's events
};

// A row image aligned with the schema's columns. A column listed in `missing`
// has no value in this image (e.g. an unchanged TOASTed value) and its slot in
// `values` is null: formats leave it out rather than present a false null.
struct Row {
  std::vector<Value> values;
  std::vector<uint32_t> missing;

  bool has(size_t column) const;
};

struct ChangeEvent {
  std::string id;
  Op op = Op::kCreate;
  SourceInfo source;
  TableSchemaPtr schema;  // null for control events that concern no table
  std::optional<Row> before;
  std::optional<Row> after;
  std::optional<TxInfo> tx;
  int64_t capture_ts_us = 0;
  Offset next;
  nlohmann::json control;  // details of control events (DDL text, ...); null otherwise

  // Key column values from `after`, or `before` for deletes. Empty when the
  // table has no key or the event has no table.
  std::vector<Value> key() const;
  // Footprint estimate used to bound queues by bytes.
  size_t approx_bytes() const;
};

// The `control` of a schema-change event announcing `schema`: {table
// ("schema.table", or "database.table" without a schema level), version,
// columns: [{name, type, source_type, nullable}], key: [column names]}.
nlohmann::json SchemaChangeDetails(const TableSchema& schema);

// Microseconds since the epoch, from the system clock.
int64_t NowMicros();

}  // namespace cdc
