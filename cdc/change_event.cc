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

namespace {

// The heap of a nlohmann::json value (its own slot is its holder's): a
// string, array or object is allocated, an object's members are map nodes.
size_t JsonHeapBytes(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::string:
      return MallocBytes(sizeof(std::string)) + HeapBytes(j.get_ref<const std::string&>());
    case nlohmann::json::value_t::array: {
      size_t n = MallocBytes(sizeof(nlohmann::json::array_t)) +
                 MallocBytes(j.get_ref<const nlohmann::json::array_t&>().capacity() *
                             sizeof(nlohmann::json));
      for (const nlohmann::json& v : j) n += JsonHeapBytes(v);
      return n;
    }
    case nlohmann::json::value_t::object: {
      // A red-black tree node: 32 bytes of links and colour, then the pair.
      constexpr size_t kNode = 32 + sizeof(std::string) + sizeof(nlohmann::json);
      size_t n = MallocBytes(sizeof(nlohmann::json::object_t));
      for (auto it = j.begin(); it != j.end(); ++it) {
        n += MallocBytes(kNode) + HeapBytes(it.key()) + JsonHeapBytes(it.value());
      }
      return n;
    }
    default:
      return 0;
  }
}

size_t RowHeapBytes(const Row& row) {
  size_t n = MallocBytes(row.values.capacity() * sizeof(Value)) +
             MallocBytes(row.missing.capacity() * sizeof(uint32_t));
  for (const Value& v : row.values) n += v.heap_bytes();
  return n;
}

}  // namespace

size_t ChangeEvent::approx_bytes() const {
  size_t n = sizeof(ChangeEvent) + HeapBytes(id) + HeapBytes(source.connector) +
             HeapBytes(source.server_name) + HeapBytes(source.table.database) +
             HeapBytes(source.table.schema) + HeapBytes(source.table.table) +
             HeapBytes(source.tx_id) + HeapBytes(next.tx);
  n += MallocBytes(source.fields.capacity() * sizeof(SourceField));
  for (const SourceField& f : source.fields) {
    n += HeapBytes(f.name) + f.value.heap_bytes();
  }
  if (before) n += RowHeapBytes(*before);
  if (after) n += RowHeapBytes(*after);
  if (tx) n += HeapBytes(tx->id);
  n += JsonHeapBytes(next.state) + JsonHeapBytes(control);
  if (next.deferred) n += next.deferred->approx_bytes();
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
