#include "cdc/format/envelope_reader.h"

#include <simdjson.h>

#include <algorithm>
#include <cstring>

#include "cdc/error.h"
#include "cdc/format/unchanged_placeholder.h"

namespace cdc {
namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;
using simdjson::SUCCESS;

// Copies `bytes` into `buf` with the padding simdjson reads ahead into.
simdjson::padded_string_view Padded(std::string_view bytes, std::string& buf) {
  buf.assign(bytes);
  buf.append(simdjson::SIMDJSON_PADDING, ' ');
  return simdjson::padded_string_view(buf.data(), bytes.size(), buf.size());
}

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// The value's JSON text exactly as written.
error_code RawValue(od::value v, std::string_view& out) {
  od::json_type type;
  if (auto err = v.type().get(type)) return err;
  if (type == od::json_type::object) {
    od::object o;
    if (auto err = v.get_object().get(o)) return err;
    return o.raw_json().get(out);
  }
  if (type == od::json_type::array) {
    od::array a;
    if (auto err = v.get_array().get(a)) return err;
    return a.raw_json().get(out);
  }
  out = TrimRight(v.raw_json_token());
  return SUCCESS;
}

// A field name as written, quotes included.
std::string_view RawKey(od::raw_json_string key) {
  const char* start = key.raw();
  const char* p = start;
  while (*p != '"') p += *p == '\\' ? 2 : 1;
  return std::string_view(start - 1, static_cast<size_t>(p - start) + 2);
}

// A string or null field; false for null.
error_code NullableString(od::value v, std::string_view& out, bool& present) {
  bool is_null = false;
  if (auto err = v.is_null().get(is_null)) return err;
  present = !is_null;
  if (is_null) return SUCCESS;
  return v.get_string().get(out);
}

bool IsChangeOp(std::string_view op) {
  return op.size() == 1 && std::strchr("cudrt", op[0]) != nullptr;
}

void AddPart(std::string& table, std::string_view part) {
  if (part.empty()) return;
  if (!table.empty()) table += '.';
  table.append(part);
}

void SplitNames(std::string_view list, std::vector<std::string>& out) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    out.emplace_back(list.substr(0, comma));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

}  // namespace

struct EnvelopeReader::Impl {
  od::parser value_parser, key_parser, image_parser;
  std::string value_buf, key_buf, row_buf, image_buf, image_key_buf;
  std::vector<std::string> placeholder_forms;
  // A piece of each form that any row holding it contains (the start of the
  // text, of its base64, of its byte list), found before parsing anything.
  std::vector<std::string> placeholder_probes;
  std::string_view before;  // the Debezium before image of the last value read
  const Record* record = nullptr;

  [[noreturn]] void fail(const std::string& what, error_code err) const {
    throw Error("record of topic " + record->topic + ": " + what + ": " +
                simdjson::error_message(err));
  }

  void read_source(od::value v, ChangeView& out) {
    od::object src;
    if (auto err = v.get_object().get(src)) fail("source is not an object", err);
    std::string_view db, schema, table, unchanged;
    bool has = false;
    int64_t ts_ms = 0;
    std::optional<int64_t> ts_us;
    for (auto field : src) {
      std::string_view name;
      if (auto err = field.unescaped_key().get(name)) fail("source", err);
      error_code err = SUCCESS;
      if (name == "db") {
        err = NullableString(field.value(), db, has);
      } else if (name == "schema") {
        err = NullableString(field.value(), schema, has);
      } else if (name == "table") {
        err = NullableString(field.value(), table, has);
      } else if (name == "ts_ms") {
        err = field.value().get_int64().get(ts_ms);
        if (!ts_us) out.commit_ts_us = ts_ms * 1000;
      } else if (name == "ts_us") {
        int64_t us = 0;
        err = field.value().get_int64().get(us);
        ts_us = us;
        out.commit_ts_us = us;
      } else if (name == "unchanged_toast") {
        err = NullableString(field.value(), unchanged, has);
        if (!err && has) SplitNames(unchanged, out.unchanged);
      }
      if (err) fail("source." + std::string(name), err);
    }
    AddPart(out.table, db);
    AddPart(out.table, schema);
    AddPart(out.table, table);
  }

  // The fields of a Debezium envelope (the payload, or the whole value).
  void read_debezium(od::object envelope, ChangeView& out) {
    std::string_view op;
    for (auto field : envelope) {
      std::string_view name;
      if (auto err = field.unescaped_key().get(name)) fail("envelope", err);
      if (name == "before") {
        bool is_null = false;
        od::value v = field.value();
        if (auto err = v.is_null().get(is_null)) fail("before", err);
        if (!is_null) {
          if (auto err = RawValue(v, before)) fail("before", err);
        }
      } else if (name == "after") {
        bool is_null = false;
        od::value v = field.value();
        if (auto err = v.is_null().get(is_null)) fail("after", err);
        if (!is_null) {
          if (auto err = RawValue(v, out.row)) fail("after", err);
        }
      } else if (name == "source") {
        read_source(field.value(), out);
      } else if (name == "op") {
        if (auto err = field.value().get_string().get(op)) fail("op", err);
      }
    }
    if (!IsChangeOp(op)) return;
    out.kind = ChangeView::Kind::kChange;
    out.op = op[0];
    if (out.op == 'd' || out.op == 't') out.row = {};
    if (out.op == 'u' && MayHoldPlaceholder(out.row)) DropPlaceholders(out);
  }

  bool MayHoldPlaceholder(std::string_view row) const {
    for (const std::string& probe : placeholder_probes) {
      if (row.find(probe) != std::string_view::npos) return true;
    }
    return false;
  }

  // Rebuilds out.row without the fields holding a placeholder and names
  // them in out.unchanged.
  void DropPlaceholders(ChangeView& out) {
    od::document doc;
    od::object o;
    if (auto err = image_parser.iterate(Padded(out.row, image_buf)).get(doc)) fail("after", err);
    if (auto err = doc.get_object().get(o)) fail("after is not an object", err);
    row_buf.assign("{");
    for (auto field : o) {
      od::raw_json_string raw_key;
      std::string_view raw, name;
      if (auto err = field.key().get(raw_key)) fail("after", err);
      if (auto err = field.unescaped_key().get(name)) fail("after", err);
      const std::string_view key = RawKey(raw_key);
      if (auto err = RawValue(field.value(), raw)) fail("after", err);
      if (std::find(placeholder_forms.begin(), placeholder_forms.end(), raw) !=
          placeholder_forms.end()) {
        out.unchanged.emplace_back(name);
        continue;
      }
      if (row_buf.size() > 1) row_buf += ',';
      row_buf.append(key).append(":").append(raw);
    }
    row_buf += '}';
    out.row = row_buf;
  }

  // A flat value: columns, then the __ metadata fields.
  void read_flat(od::object value, ChangeView& out) {
    std::string_view op;
    row_buf.assign("{");
    for (auto field : value) {
      od::raw_json_string raw_key;
      if (auto err = field.key().get(raw_key)) fail("flat value", err);
      const std::string_view key = RawKey(raw_key);
      const std::string_view name = key.substr(1, key.size() - 2);
      error_code err = SUCCESS;
      if (name == "__op") {
        err = field.value().get_string().get(op);
      } else if (name == "__table") {
        std::string_view table;
        bool has = false;
        err = NullableString(field.value(), table, has);
        if (!err) out.table.assign(table);
      } else if (name == "__source_ts_ms") {
        int64_t ms = 0;
        err = field.value().get_int64().get(ms);
        out.commit_ts_us = ms * 1000;
      } else if (name != "__event_id" && name != "__deleted") {
        std::string_view raw;
        err = RawValue(field.value(), raw);
        if (row_buf.size() > 1) row_buf += ',';
        row_buf.append(key).append(":").append(raw);
      }
      if (err) fail(std::string(name), err);
    }
    row_buf += '}';
    if (!IsChangeOp(op)) return;
    out.kind = ChangeView::Kind::kChange;
    out.op = op[0];
    if (out.op != 'd' && out.op != 't') out.row = row_buf;
    out.lacks_unchanged = out.op == 'u';
  }

  // The key's identity as the before image gives it: the key object's
  // fields in its order, their values from `before`; nullopt when a field is
  // missing there.
  std::optional<std::string> key_from_before(std::string_view key) {
    std::vector<std::pair<std::string, std::string>> fields;  // raw name, name
    {
      od::document doc;
      od::object o;
      if (image_parser.iterate(Padded(key, image_key_buf)).get(doc) || doc.get_object().get(o)) {
        return std::nullopt;
      }
      for (auto field : o) {
        od::raw_json_string raw;
        std::string_view name;
        if (field.key().get(raw)) return std::nullopt;
        const std::string_view raw_name = RawKey(raw);
        if (field.unescaped_key().get(name)) return std::nullopt;
        fields.emplace_back(std::string(raw_name), std::string(name));
      }
    }
    od::document doc;
    od::object o;
    if (image_parser.iterate(Padded(before, image_buf)).get(doc) || doc.get_object().get(o)) {
      return std::nullopt;
    }
    std::string out = "{";
    for (const auto& [raw_name, name] : fields) {
      od::value v;
      std::string_view raw;
      if (o.find_field_unordered(name).get(v) || RawValue(v, raw)) return std::nullopt;
      if (out.size() > 1) out += ',';
      out.append(raw_name).append(":").append(raw);
    }
    return out + "}";
  }

  // Under Debezium with schemas the key is {"schema": ..., "payload": ...}.
  void read_key(const std::string& key, bool schemas, ChangeView& out) {
    if (!schemas) {
      out.key = std::string_view(key);
      return;
    }
    od::document doc;
    od::object o;
    std::string_view payload;
    if (auto err = key_parser.iterate(Padded(key, key_buf)).get(doc)) fail("key", err);
    if (auto err = doc.get_object().get(o)) fail("key is not an object", err);
    od::value v;
    if (auto err = o.find_field_unordered("payload").get(v)) fail("key has no payload", err);
    if (auto err = RawValue(v, payload)) fail("key payload", err);
    out.key = payload;
  }
};

EnvelopeReader::EnvelopeReader(const std::string& toast_placeholder)
    : impl_(std::make_unique<Impl>()) {
  impl_->placeholder_forms = format::PlaceholderForms(toast_placeholder);
  for (const std::string& form : impl_->placeholder_forms) {
    std::string_view core(form);
    if (core.front() == '[') core.remove_prefix(1);
    if (core.front() == '"') core = core.substr(1, core.size() - 2);
    impl_->placeholder_probes.emplace_back(core.substr(0, std::min<size_t>(core.size(), 12)));
  }
}
EnvelopeReader::~EnvelopeReader() = default;

void EnvelopeReader::read(const Record& record, ChangeView& out) {
  out.kind = ChangeView::Kind::kOther;
  out.op = 0;
  out.table.clear();
  out.commit_ts_us.reset();
  out.key.reset();
  out.row = {};
  out.unchanged.clear();
  out.lacks_unchanged = false;
  out.old_key.reset();
  impl_->record = &record;
  impl_->before = {};
  if (!record.value) {
    out.kind = ChangeView::Kind::kTombstone;
    if (record.key) out.key = std::string_view(*record.key);
    return;
  }
  od::document doc;
  od::object top;
  if (impl_->value_parser.iterate(Padded(*record.value, impl_->value_buf)).get(doc) ||
      doc.get_object().get(top)) {
    return;  // not a JSON object: not a change cdcd wrote
  }
  // The top-level names tell the envelope, whatever their order: Debezium
  // with schemas has "schema" and "payload", flat values "__op", Debezium
  // without schemas "op".
  bool has_schema = false, has_payload = false, has_flat_op = false, has_op = false;
  for (auto field : top) {
    std::string_view name;
    if (field.unescaped_key().get(name)) return;
    has_schema |= name == "schema";
    has_payload |= name == "payload";
    has_flat_op |= name == "__op";
    has_op |= name == "op";
  }
  doc.rewind();
  if (doc.get_object().get(top)) return;
  const bool schemas = has_schema && has_payload;
  if (schemas) {
    od::value v;
    od::object payload;
    if (top.find_field_unordered("payload").get(v) || v.get_object().get(payload)) return;
    impl_->read_debezium(payload, out);
  } else if (has_flat_op) {
    impl_->read_flat(top, out);
  } else if (has_op) {
    impl_->read_debezium(top, out);
  }
  if (out.kind == ChangeView::Kind::kChange && record.key) {
    impl_->read_key(*record.key, schemas, out);
    if (out.op == 'u' && !impl_->before.empty() && out.key) {
      std::optional<std::string> old = impl_->key_from_before(*out.key);
      if (old && *old != *out.key) out.old_key = std::move(old);
    }
  }
}

}  // namespace cdc
