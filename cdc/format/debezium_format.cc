#include "cdc/format/debezium_format.h"

#include "cdc/error.h"
#include "cdc/format/debezium_control.h"
#include "cdc/format/debezium_schema.h"
#include "cdc/format/debezium_value.h"
#include "cdc/format/source_block.h"
#include "cdc/format/unchanged_placeholder.h"

namespace cdc::format {

// What a table version contributes to every record of it. The value schema
// also embeds the source block, whose shape depends on the connector, the
// server name and the connector's fields: those are remembered to detect the
// (unusual) case of one table version reaching the format from two sources.
struct DebeziumFormat::Entry {
  TableSchemaPtr schema;
  std::string connector;
  std::string server_name;
  std::vector<std::pair<std::string, ColumnType>> source_fields;
  std::vector<std::string> quoted_names;  // `"column":` per column
  std::vector<Value> absent_values;       // per column: AbsentValue(), for partial before images
  SourceParts source;                     // of the source and table it was built for
  std::string key_schema;                 // rendered; empty without schemas
  std::string value_schema;

  bool Matches(const ChangeEvent& ev) const {
    const SourceInfo& s = ev.source;
    if (s.connector != connector || s.server_name != server_name) return false;
    if (s.fields.size() != source_fields.size()) return false;
    for (size_t i = 0; i < s.fields.size(); ++i) {
      if (s.fields[i].name != source_fields[i].first || s.fields[i].type != source_fields[i].second)
        return false;
    }
    return true;
  }
};

namespace {

void RequireSchema(const ChangeEvent& ev) {
  if (!ev.schema) {
    throw Error("event " + ev.id + " (" + OpName(ev.op) + " on " + ev.source.table.qualified() +
                "): a data event without a table schema");
  }
}

const Row* KeyRow(const ChangeEvent& ev) {
  if (ev.after) return &*ev.after;
  if (ev.before) return &*ev.before;
  return nullptr;
}

}  // namespace

DebeziumFormat::DebeziumFormat(const FormatOptions& options) : options_(options) {}

std::shared_ptr<const DebeziumFormat::Entry> DebeziumFormat::entry(const ChangeEvent& ev) const {
  return cache_.get(ev, [this](const ChangeEvent& e) {
    const TableSchema& t = *e.schema;
    Entry out;
    out.schema = e.schema;
    out.connector = e.source.connector;
    out.server_name = e.source.server_name;
    for (const SourceField& f : e.source.fields) out.source_fields.emplace_back(f.name, f.type);
    out.source = PrepareSource(e.source, options_);
    for (const Column& c : t.columns()) {
      out.quoted_names.push_back(QuotedKey(c.name));
      out.absent_values.push_back(AbsentValue(c));
    }
    if (options_.schemas) {
      std::string prefix = RecordSchemaPrefix(e.source.server_name, t.id());
      out.key_schema = KeySchema(t, prefix, options_).Dump();
      out.value_schema = EnvelopeSchema(t, e.source, options_).Dump();
    }
    return out;
  });
}

bool DebeziumFormat::append_key(const ChangeEvent& ev, OutBuffer& out) const {
  if (!IsDataOp(ev.op)) {
    std::optional<std::string> key = DebeziumControlKey(ev, options_);
    if (key) out.append(*key);
    return key.has_value();
  }
  RequireSchema(ev);
  const TableSchema& t = *ev.schema;
  const Row* row = KeyRow(ev);
  if (t.key_columns().empty() || !row) return false;
  auto e = entry(ev);

  JsonWriter w(out, e->key_schema.size() + 64);
  if (options_.schemas) {
    w.begin_object();
    w.plain_key("schema");
    w.raw_value(e->key_schema);
    w.plain_key("payload");
  }
  w.begin_object();
  for (size_t k : t.key_columns()) {
    w.quoted_key(e->quoted_names[k]);
    static const Value kNull;
    const Value& v = k < row->values.size() ? row->values[k] : kNull;
    WriteDebeziumValue(w, FieldRef{t.id(), t.columns()[k]}, v, options_);
  }
  w.end_object();
  if (options_.schemas) w.end_object();
  w.commit();
  return true;
}

void DebeziumFormat::append_value(const ChangeEvent& ev, OutBuffer& out) const {
  if (!IsDataOp(ev.op)) return out.append(DebeziumControlValue(ev, options_));
  RequireSchema(ev);
  auto e = entry(ev);

  JsonWriter w(out, e->value_schema.size() + 512 + 64 * e->quoted_names.size());
  if (options_.schemas) {
    w.begin_object();
    w.plain_key("schema");
    w.raw_value(e->value_schema);
    w.plain_key("payload");
  }
  write_payload(w, *e, ev);
  if (options_.schemas) w.end_object();
  w.commit();
}

void DebeziumFormat::write_payload(JsonWriter& w, const Entry& e, const ChangeEvent& ev) const {
  w.begin_object();
  w.plain_key("before");
  ev.before ? write_row(w, e, *ev.before, true) : w.null();
  w.plain_key("after");
  ev.after ? write_row(w, e, *ev.after, false) : w.null();
  w.plain_key("source");
  // Matches() holds connector, server and fields to the entry's; the table
  // is the schema's unless a source names it otherwise.
  if (ev.source.table == e.source.table) {
    WriteSource(w, ev.source, e.source);
  } else {
    WriteSource(w, ev.source, options_);
  }
  w.plain_key("transaction");
  if (ev.tx && options_.transaction_metadata) {
    w.begin_object();
    w.plain_key("id");
    w.string(ev.tx->id);
    w.plain_key("total_order");
    w.uint64(ev.tx->total_order);
    w.plain_key("data_collection_order");
    w.uint64(ev.tx->data_collection_order);
    w.end_object();
  } else {
    w.null();
  }
  w.plain_key("op");
  w.string(OpName(ev.op));
  w.plain_key("ts_ms");
  w.int64(FloorDiv(ev.capture_ts_us, 1000));
  w.plain_key("ts_us");
  w.int64(ev.capture_ts_us);
  w.plain_key("ts_ns");
  w.int64(ev.capture_ts_us * 1000);
  w.end_object();
}

void DebeziumFormat::write_row(JsonWriter& w, const Entry& e, const Row& row,
                               bool absent_as_null) const {
  const TableSchema& t = *e.schema;
  const auto& columns = t.columns();
  const bool placeholders = options_.unchanged == FormatOptions::Unchanged::kPlaceholder;
  w.begin_object();
  for (size_t i = 0; i < columns.size(); ++i) {
    if (!row.has(i)) {
      // A before image the database logged only in part (PostgreSQL's
      // default replica identity: the key) lists the other columns, as
      // Debezium's does: null, or for a NOT NULL column its default or zero
      // (a null there fails JsonConverter on a required field). An after image
      // shows a value the source left out as unchanged (unchanged TOAST) as
      // the placeholder, or leaves it out.
      if (absent_as_null) {
        w.quoted_key(e.quoted_names[i]);
        WriteDebeziumValue(w, FieldRef{t.id(), columns[i]}, e.absent_values[i], options_);
      } else if (i < row.values.size() && placeholders &&
                 HasPlaceholderShape(columns[i], options_)) {
        w.quoted_key(e.quoted_names[i]);
        WritePlaceholder(w, columns[i], options_);
      }
      continue;
    }
    w.quoted_key(e.quoted_names[i]);
    WriteDebeziumValue(w, FieldRef{t.id(), columns[i]}, row.values[i], options_);
  }
  w.end_object();
}

}  // namespace cdc::format
