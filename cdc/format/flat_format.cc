#include "cdc/format/flat_format.h"

#include "cdc/error.h"
#include "cdc/format/debezium_control.h"
#include "cdc/format/readable_value.h"
#include "cdc/format/value_encoding.h"

namespace cdc::format {

struct FlatFormat::Entry {
  TableSchemaPtr schema;
  std::vector<std::string> quoted_names;  // `"column":` per column
  std::string table_name;                 // qualified

  bool Matches(const ChangeEvent&) const { return true; }
};

namespace {

const TableSchema& RequireSchema(const ChangeEvent& ev) {
  if (!ev.schema) {
    throw Error("event " + ev.id + " (" + OpName(ev.op) + " on " + ev.source.table.qualified() +
                "): a data event without a table schema");
  }
  return *ev.schema;
}

// The image a flat record shows: after, before for deletes, none for truncate.
const Row* ImageRow(const ChangeEvent& ev) {
  if (ev.op == Op::kTruncate) return nullptr;
  if (ev.op == Op::kDelete) return ev.before ? &*ev.before : nullptr;
  return ev.after ? &*ev.after : nullptr;
}

const Row* KeyRow(const ChangeEvent& ev) {
  if (ev.after) return &*ev.after;
  if (ev.before) return &*ev.before;
  return nullptr;
}

void WriteMetadata(JsonWriter& w, const ChangeEvent& ev) {
  w.plain_key("__source_ts_ms");
  w.int64(FloorDiv(ev.source.commit_ts_us, 1000));
  w.plain_key("__event_id");
  w.string(ev.id);
}

}  // namespace

std::shared_ptr<const FlatFormat::Entry> FlatFormat::entry(const ChangeEvent& ev) const {
  return cache_.get(ev, [](const ChangeEvent& e) {
    Entry out;
    out.schema = e.schema;
    for (const Column& c : e.schema->columns()) out.quoted_names.push_back(QuotedKey(c.name));
    out.table_name = e.schema->id().qualified();
    return out;
  });
}

bool FlatFormat::append_key(const ChangeEvent& ev, OutBuffer& out) const {
  JsonWriter w(out);
  if (!IsDataOp(ev.op)) {
    w.begin_object();
    WriteControlKeyFields(w, ev);
    w.end_object();
    w.commit();
    return true;
  }
  const TableSchema& t = RequireSchema(ev);
  const Row* row = KeyRow(ev);
  if (t.key_columns().empty() || !row) return false;
  auto e = entry(ev);
  w.begin_object();
  for (size_t k : t.key_columns()) {
    static const Value kNull;
    w.quoted_key(e->quoted_names[k]);
    const Value& v = k < row->values.size() ? row->values[k] : kNull;
    WriteReadableValue(w, FieldRef{t.id(), t.columns()[k]}, v);
  }
  w.end_object();
  w.commit();
  return true;
}

void FlatFormat::append_value(const ChangeEvent& ev, OutBuffer& out) const {
  if (!IsDataOp(ev.op)) return control_value(ev, out);
  const TableSchema& t = RequireSchema(ev);
  auto e = entry(ev);

  JsonWriter w(out, 192 + 48 * e->quoted_names.size());
  w.begin_object();
  if (const Row* row = ImageRow(ev)) {
    for (size_t i = 0; i < t.columns().size(); ++i) {
      if (!row->has(i)) continue;  // missing (unchanged TOAST) or absent: left out
      w.quoted_key(e->quoted_names[i]);
      WriteReadableValue(w, FieldRef{t.id(), t.columns()[i]}, row->values[i]);
    }
  }
  w.plain_key("__op");
  w.string(OpName(ev.op));
  w.plain_key("__table");
  w.string(e->table_name);
  WriteMetadata(w, ev);
  w.plain_key("__deleted");
  w.string(ev.op == Op::kDelete ? "true" : "false");
  w.end_object();
  w.commit();
}

void FlatFormat::control_value(const ChangeEvent& ev, OutBuffer& out) const {
  JsonWriter w(out);
  w.begin_object();
  // Control events carry no unchanged values: the default options suffice.
  WriteControlValueFields(w, ev, FormatOptions{});
  w.plain_key("__op");
  w.string(OpName(ev.op));
  w.plain_key("__table");
  const TableId& table = ev.schema ? ev.schema->id() : ev.source.table;
  table.table.empty() ? w.null() : w.string(table.qualified());
  WriteMetadata(w, ev);
  w.end_object();
  w.commit();
}

}  // namespace cdc::format
