#include "cdc/format/debezium_control.h"

#include "cdc/error.h"
#include "cdc/format/connect_schema.h"
#include "cdc/format/debezium_schema.h"
#include "cdc/format/source_block.h"
#include "cdc/format/value_encoding.h"

namespace cdc::format {
namespace {

using CS = ConnectSchema;

std::string TxId(const ChangeEvent& ev) {
  if (!ev.source.tx_id.empty() || !ev.tx) return ev.source.tx_id;
  return ev.tx->id;
}

int64_t CommitMillis(const ChangeEvent& ev) {
  return FloorDiv(ev.source.commit_ts_us, 1000);
}

const TableId& ChangedTable(const ChangeEvent& ev) {
  return ev.schema ? ev.schema->id() : ev.source.table;
}

void WriteStringOrNull(JsonWriter& w, const std::string& s) {
  if (s.empty()) return w.null();
  w.string(s);
}

[[noreturn]] void ThrowBadControl(const ChangeEvent& ev, const std::string& what) {
  throw Error("event " + ev.id + " (" + OpName(ev.op) + "): control details: " + what);
}

// ---- Schemas ----

CS Keyed(const char* name, const char* field) {
  CS s = CS::Struct(name);
  s.version = 1;
  s.Add(field, CS::Of("string"));
  return s;
}

CS TransactionValueSchema() {
  CS collection = CS::Struct("event.collection");
  collection.version = 1;
  collection.optional = true;
  collection.Add("data_collection", CS::Of("string")).Add("event_count", CS::Of("int64"));
  CS s = CS::Struct("io.debezium.connector.common.TransactionMetadataValue");
  s.version = 1;
  s.Add("status", CS::Of("string"))
      .Add("id", CS::Of("string"))
      .Add("event_count", CS::Of("int64", true))
      .Add("data_collections", CS::Array(collection, true))
      .Add("ts_ms", CS::Of("int64"));
  return s;
}

CS ColumnChangeSchema() {
  CS s = CS::Struct("io.debezium.connector.schema.Column");
  s.version = 1;
  s.Add("name", CS::Of("string"))
      .Add("jdbcType", CS::Of("int32"))
      .Add("nativeType", CS::Of("int32", true))
      .Add("typeName", CS::Of("string"))
      .Add("typeExpression", CS::Of("string", true))
      .Add("charsetName", CS::Of("string", true))
      .Add("length", CS::Of("int32", true))
      .Add("scale", CS::Of("int32", true))
      .Add("position", CS::Of("int32"))
      .Add("optional", CS::Of("boolean", true))
      .Add("autoIncremented", CS::Of("boolean", true))
      .Add("generated", CS::Of("boolean", true))
      .Add("comment", CS::Of("string", true))
      .Add("defaultValueExpression", CS::Of("string", true))
      .Add("enumValues", CS::Array(CS::Of("string"), true));
  return s;
}

CS TableChangeSchema() {
  CS table = CS::Struct("io.debezium.connector.schema.Table");
  table.version = 1;
  table.optional = true;
  table.Add("defaultCharsetName", CS::Of("string", true))
      .Add("primaryKeyColumnNames", CS::Array(CS::Of("string"), true))
      .Add("columns", CS::Array(ColumnChangeSchema(), false))
      .Add("comment", CS::Of("string", true));
  CS s = CS::Struct("io.debezium.connector.schema.Change");
  s.version = 1;
  s.Add("type", CS::Of("string")).Add("id", CS::Of("string")).Add("table", table);
  return s;
}

CS SchemaChangeValueSchema(const ChangeEvent& ev, const FormatOptions& options) {
  CS s = CS::Struct(ConnectorNamespace(ev.source.connector) + ".SchemaChangeValue");
  s.version = 1;
  s.Add("source", SourceSchema(ev.source, options))
      .Add("ts_ms", CS::Of("int64"))
      .Add("databaseName", CS::Of("string", true))
      .Add("schemaName", CS::Of("string", true))
      .Add("ddl", CS::Of("string", true))
      .Add("tableChanges", CS::Array(TableChangeSchema(), false));
  return s;
}

CS ControlKeySchema(const ChangeEvent& ev) {
  switch (ev.op) {
    case Op::kHeartbeat:
      return Keyed("io.debezium.connector.common.ServerNameKey", "serverName");
    case Op::kSchemaChange: {
      CS s = CS::Struct(ConnectorNamespace(ev.source.connector) + ".SchemaChangeKey");
      s.version = 1;
      return s.Add("databaseName", CS::Of("string"));
    }
    default:
      return Keyed("io.debezium.connector.common.TransactionMetadataKey", "id");
  }
}

CS ControlValueSchema(const ChangeEvent& ev, const FormatOptions& options) {
  switch (ev.op) {
    case Op::kHeartbeat: {
      CS s = CS::Struct("io.debezium.connector.common.Heartbeat");
      s.version = 1;
      return s.Add("ts_ms", CS::Of("int64"));
    }
    case Op::kSchemaChange:
      return SchemaChangeValueSchema(ev, options);
    default:
      return TransactionValueSchema();
  }
}

// ---- Transaction metadata ----

void WriteDataCollections(JsonWriter& w, const ChangeEvent& ev) {
  const nlohmann::json* dc = ev.control.is_object() && ev.control.contains("data_collections")
                                 ? &ev.control["data_collections"]
                                 : nullptr;
  if (!dc || dc->is_null()) return w.null();
  if (!dc->is_array()) ThrowBadControl(ev, "data_collections is not an array");
  w.begin_array();
  for (const auto& item : *dc) {
    if (!item.is_object() || !item.value("data_collection", nlohmann::json()).is_string() ||
        !item.value("event_count", nlohmann::json()).is_number_integer()) {
      ThrowBadControl(
          ev, "data_collections entry needs data_collection and event_count: " + item.dump());
    }
    w.begin_object();
    w.key("data_collection");
    w.string(item["data_collection"].get<std::string>());
    w.key("event_count");
    w.int64(item["event_count"].get<int64_t>());
    w.end_object();
  }
  w.end_array();
}

void WriteTransactionFields(JsonWriter& w, const ChangeEvent& ev) {
  bool end = ev.op == Op::kTxEnd;
  w.key("status");
  w.string(end ? "END" : "BEGIN");
  w.key("id");
  w.string(TxId(ev));
  w.key("event_count");
  const nlohmann::json count =
      end && ev.control.is_object() ? ev.control.value("event_count", nlohmann::json()) : nullptr;
  if (count.is_number_integer()) {
    w.int64(count.get<int64_t>());
  } else if (count.is_null()) {
    w.null();
  } else {
    ThrowBadControl(ev, "event_count is not an integer");
  }
  w.key("data_collections");
  end ? WriteDataCollections(w, ev) : w.null();
  w.key("ts_ms");
  w.int64(CommitMillis(ev));
}

// ---- Schema change ----

// java.sql.Types code for the logical type (Debezium's jdbcType).
int JdbcType(ColumnType t) {
  switch (t) {
    case ColumnType::kBoolean:
      return 16;  // BOOLEAN
    case ColumnType::kInt8:
      return -6;  // TINYINT
    case ColumnType::kInt16:
      return 5;  // SMALLINT
    case ColumnType::kInt32:
      return 4;  // INTEGER
    case ColumnType::kInt64:
    case ColumnType::kUInt64:
      return -5;  // BIGINT
    case ColumnType::kFloat32:
      return 7;  // REAL
    case ColumnType::kFloat64:
      return 8;  // DOUBLE
    case ColumnType::kDecimal:
      return 2;  // NUMERIC
    case ColumnType::kString:
      return 12;  // VARCHAR
    case ColumnType::kEnum:
    case ColumnType::kSet:
      return 1;  // CHAR, as MySQL reports them
    case ColumnType::kBytes:
      return -3;  // VARBINARY
    case ColumnType::kBits:
      return -7;  // BIT
    case ColumnType::kDate:
    case ColumnType::kYear:
      return 91;  // DATE
    case ColumnType::kTime:
      return 92;  // TIME
    case ColumnType::kTimestamp:
      return 93;  // TIMESTAMP
    case ColumnType::kTimeTz:
      return 2013;  // TIME_WITH_TIMEZONE
    case ColumnType::kTimestampTz:
      return 2014;  // TIMESTAMP_WITH_TIMEZONE
    case ColumnType::kArray:
      return 2003;  // ARRAY
    default:
      return 1111;  // OTHER
  }
}

// "numeric(10,2)" -> "numeric": Debezium's typeName carries no modifiers.
std::string TypeName(const Column& c) {
  if (c.source_type.empty()) return ColumnTypeName(c.type);
  return c.source_type.substr(0, c.source_type.find('('));
}

bool IsTemporal(ColumnType t) {
  return t == ColumnType::kTime || t == ColumnType::kTimeTz || t == ColumnType::kTimestamp ||
         t == ColumnType::kTimestampTz;
}

void WriteOptionalInt(JsonWriter& w, std::optional<int32_t> v) {
  if (!v) return w.null();
  w.int64(*v);
}

void WriteColumnChange(JsonWriter& w, const Column& c, size_t position) {
  w.begin_object();
  w.key("name");
  w.string(c.name);
  w.key("jdbcType");
  w.int64(JdbcType(c.type));
  w.key("nativeType");
  w.null();
  std::string type_name = TypeName(c);
  w.key("typeName");
  w.string(type_name);
  w.key("typeExpression");
  w.string(type_name);
  w.key("charsetName");
  w.null();
  bool decimal = c.type == ColumnType::kDecimal;
  w.key("length");
  WriteOptionalInt(w, c.length ? c.length : decimal ? c.precision : std::nullopt);
  w.key("scale");
  WriteOptionalInt(w, decimal ? c.scale : IsTemporal(c.type) ? c.precision : std::nullopt);
  w.key("position");
  w.int64(static_cast<int64_t>(position));
  w.key("optional");
  w.boolean(c.nullable);
  w.key("autoIncremented");
  w.boolean(false);
  w.key("generated");
  w.boolean(false);
  w.key("comment");
  w.null();
  w.key("defaultValueExpression");
  w.null();
  w.key("enumValues");
  if (c.enum_values.empty()) {
    w.null();
  } else {
    w.begin_array();
    for (const std::string& v : c.enum_values) w.string(v);
    w.end_array();
  }
  w.end_object();
}

void WriteTable(JsonWriter& w, const TableSchema& t) {
  w.begin_object();
  w.key("defaultCharsetName");
  w.null();
  w.key("primaryKeyColumnNames");
  w.begin_array();
  for (size_t k : t.key_columns()) w.string(t.columns()[k].name);
  w.end_array();
  w.key("columns");
  w.begin_array();
  for (size_t i = 0; i < t.columns().size(); ++i) WriteColumnChange(w, t.columns()[i], i + 1);
  w.end_array();
  w.key("comment");
  w.null();
  w.end_object();
}

std::string QuotedTableId(const TableId& id) {
  const std::string& ns = id.schema.empty() ? id.database : id.schema;
  return "\"" + ns + "\".\"" + id.table + "\"";
}

void WriteTableChanges(JsonWriter& w, const ChangeEvent& ev) {
  const TableId& id = ChangedTable(ev);
  w.begin_array();
  if (ev.schema || !id.table.empty()) {
    std::string type = "ALTER";
    if (ev.control.is_object() && ev.control.contains("type")) {
      if (!ev.control["type"].is_string()) ThrowBadControl(ev, "type is not a string");
      type = ev.control["type"].get<std::string>();
    }
    w.begin_object();
    w.key("type");
    w.string(type);
    w.key("id");
    w.string(QuotedTableId(id));
    w.key("table");
    ev.schema ? WriteTable(w, *ev.schema) : w.null();
    w.end_object();
  }
  w.end_array();
}

void WriteSchemaChangeFields(JsonWriter& w, const ChangeEvent& ev, const FormatOptions& options) {
  const TableId& id = ChangedTable(ev);
  w.key("source");
  WriteSource(w, ev.source, options);
  w.key("ts_ms");
  w.int64(CommitMillis(ev));
  w.key("databaseName");
  WriteStringOrNull(w, id.database);
  w.key("schemaName");
  WriteStringOrNull(w, id.schema);
  w.key("ddl");
  const nlohmann::json ddl =
      ev.control.is_object() ? ev.control.value("ddl", nlohmann::json()) : nullptr;
  if (!ddl.is_null() && !ddl.is_string()) ThrowBadControl(ev, "ddl is not a string");
  ddl.is_string() ? w.string(ddl.get<std::string>()) : w.null();
  w.key("tableChanges");
  WriteTableChanges(w, ev);
}

std::string Wrap(const ConnectSchema* schema, const std::string& payload) {
  if (!schema) return payload;
  return "{\"schema\":" + schema->Dump() + ",\"payload\":" + payload + "}";
}

}  // namespace

void WriteControlKeyFields(JsonWriter& w, const ChangeEvent& ev) {
  switch (ev.op) {
    case Op::kHeartbeat:
      w.key("serverName");
      return w.string(ev.source.server_name);
    case Op::kSchemaChange:
      w.key("databaseName");
      return w.string(ChangedTable(ev).database);
    default:
      w.key("id");
      return w.string(TxId(ev));
  }
}

void WriteControlValueFields(JsonWriter& w, const ChangeEvent& ev, const FormatOptions& options) {
  switch (ev.op) {
    case Op::kHeartbeat:
      w.key("ts_ms");
      return w.int64(CommitMillis(ev));
    case Op::kSchemaChange:
      return WriteSchemaChangeFields(w, ev, options);
    default:
      return WriteTransactionFields(w, ev);
  }
}

std::optional<std::string> DebeziumControlKey(const ChangeEvent& ev, const FormatOptions& o) {
  JsonWriter w;
  w.begin_object();
  WriteControlKeyFields(w, ev);
  w.end_object();
  std::string payload = w.take();
  if (!o.schemas) return payload;
  ConnectSchema schema = ControlKeySchema(ev);
  return Wrap(&schema, payload);
}

std::string DebeziumControlValue(const ChangeEvent& ev, const FormatOptions& o) {
  JsonWriter w;
  w.begin_object();
  WriteControlValueFields(w, ev, o);
  w.end_object();
  std::string payload = w.take();
  if (!o.schemas) return payload;
  ConnectSchema schema = ControlValueSchema(ev, o);
  return Wrap(&schema, payload);
}

}  // namespace cdc::format
