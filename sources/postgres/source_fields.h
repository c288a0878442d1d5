// The connector's part of a PostgreSQL event's source block, in Debezium's
// order (txId, lsn, xmin, origin, origin_lsn), plus cdcd's unchanged_toast.
// Streamed and snapshot events share it, so that one table's events always
// have the same source schema.
#pragma once

#include <vector>

#include "cdc/change_event.h"
#include "sources/postgres/lsn.h"

namespace cdc::pg {

// `tx_id` of snapshot rows is the snapshot's xmax; `lsn` a change's own WAL
// position (the snapshot point for snapshot rows); `unchanged_toast` the comma-joined names of
// unchanged TOASTed columns the event leaves out, or null. xmin and the
// replication origin are always null: pgoutput v1 sends neither.
inline std::vector<SourceField> PgSourceFields(Value tx_id, Lsn lsn, Value unchanged_toast) {
  return {
      {"txId", ColumnType::kInt64, std::move(tx_id)},
      {"lsn", ColumnType::kInt64, Value(static_cast<int64_t>(lsn))},
      {"xmin", ColumnType::kInt64, Value::Null()},
      {"origin", ColumnType::kString, Value::Null()},
      {"origin_lsn", ColumnType::kInt64, Value::Null()},
      {kUnchangedToastField, ColumnType::kString, std::move(unchanged_toast)},
  };
}

}  // namespace cdc::pg
