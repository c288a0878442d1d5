#include "cdc/change_event.h"

#include <algorithm>
#include <chrono>

namespace cdc {

const char* OpName(Op op) {
  switch (op) {
    case Op::kCreate:
      return "c";
    case Op::kUpdate:
      return "u";
    case Op::kDelete:
      return "d";
    case Op::kTruncate:
      return "t";
    case Op::kRead:
      return "r";
    case Op::kHeartbeat:
      return "heartbeat";
    case Op::kSchemaChange:
      return "schema_change";
    case Op::kTxBegin:
      return "tx_begin";
    case Op::kTxEnd:
      return "tx_end";
  }
  return "?";
}

bool IsDataOp(Op op) {
  return op == Op::kCreate || op == Op::kUpdate || op == Op::kDelete || op == Op::kTruncate ||
         op == Op::kRead;
}

const char* SnapshotMarkName(SnapshotMark m) {
  switch (m) {
    case SnapshotMark::kFalse:
      return "false";
    case SnapshotMark::kTrue:
      return "true";
    case SnapshotMark::kFirst:
      return "first";
    case SnapshotMark::kFirstInTable:
      return "first_in_data_collection";
    case SnapshotMark::kLastInTable:
      return "last_in_data_collection";
    case SnapshotMark::kLast:
      return "last";
    case SnapshotMark::kIncremental:
      return "incremental";
  }
  return "false";
}

bool Row::has(size_t column) const {
  return column < values.size() &&
         std::find(missing.begin(), missing.end(), column) == missing.end();
}

std::vector<Value> ChangeEvent::key() const {
  std::vector<Value> out;
  if (!schema) return out;
  const Row* row = after ? &*after : (before ? &*before : nullptr);
  if (!row) return out;
  for (size_t k : schema->key_columns()) {
    out.push_back(k < row->values.size() ? row->values[k] : Value::Null());
  }
  return out;
}

size_t ChangeEvent::approx_bytes() const {
  size_t n = sizeof(ChangeEvent) + id.size() + source.tx_id.size() + next.tx.size();
  for (const SourceField& f : source.fields) n += sizeof(SourceField) + f.value.approx_bytes();
  for (const auto* row : {&before, &after}) {
    if (!*row) continue;
    for (const Value& v : (*row)->values) n += v.approx_bytes();
  }
  if (!control.is_null()) n += control.dump().size();
  return n;
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

nlohmann::json SchemaChangeDetails(const TableSchema& s) {
  nlohmann::json columns = nlohmann::json::array();
  for (const Column& c : s.columns()) {
    columns.push_back({{"name", c.name},
                       {"type", ColumnTypeName(c.type)},
                       {"source_type", c.source_type},
                       {"nullable", c.nullable}});
  }
  nlohmann::json key = nlohmann::json::array();
  for (size_t k : s.key_columns()) key.push_back(s.columns()[k].name);
  const TableId& id = s.id();
  return {{"table", (id.schema.empty() ? id.database : id.schema) + "." + id.table},
          {"version", s.version()},
          {"columns", columns},
          {"key", key}};
}

}  // namespace cdc
