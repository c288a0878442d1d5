#include "cdc/format/source_block.h"

#include <cinttypes>
#include <cstdio>

#include "cdc/format/debezium_schema.h"
#include "cdc/format/value_encoding.h"

namespace cdc::format {

void WritePlainValue(JsonWriter& w, const Value& v) {
  if (v.is_null()) return w.null();
  if (v.is<bool>()) return w.boolean(v.as<bool>());
  if (v.is<int64_t>()) return w.int64(v.as<int64_t>());
  if (v.is<uint64_t>()) return w.uint64(v.as<uint64_t>());
  if (v.is<double>()) return w.float64(v.as<double>());
  if (v.is<std::string>()) return w.string(v.as<std::string>());
  if (v.is<Decimal>()) return w.string(v.as<Decimal>().text);
  if (v.is<Uuid>()) return w.string(v.as<Uuid>().text);
  if (v.is<Bytes>()) return w.base64(v.as<Bytes>().data);
  w.string(v.debug_string());
}

namespace {

void WriteNullableString(JsonWriter& w, const std::string& s) {
  if (s.empty()) return w.null();
  w.string(s);
}

// ["<last_commit>","<position>"] (or [null,...]) as a JSON string, built on
// the stack: this runs once per event.
void WriteSequence(JsonWriter& w, const std::optional<SourceSequence>& seq) {
  if (!seq) return w.null();
  char buf[64];
  int n = seq->last_commit
              ? std::snprintf(buf, sizeof buf, "[\"%" PRIu64 "\",\"%" PRIu64 "\"]",
                              *seq->last_commit, seq->position)
              : std::snprintf(buf, sizeof buf, "[null,\"%" PRIu64 "\"]", seq->position);
  w.string(std::string_view(buf, static_cast<size_t>(n)));
}

}  // namespace

SourceParts PrepareSource(const SourceInfo& s, const FormatOptions& options) {
  SourceParts p;
  p.table = s.table;
  // Members are rendered by a writer inside an object of its own, then cut
  // out of it: "{" + members + "}".
  auto members = [](auto&& write) {
    JsonWriter w;
    w.begin_object();
    write(w);
    w.end_object();
    std::string text = w.take();
    return text.substr(1, text.size() - 2);
  };
  p.identity = members([&](JsonWriter& w) {
    w.plain_key("version");
    w.string(kCdcdVersion);
    w.plain_key("connector");
    w.string(s.connector);
    w.plain_key("name");
    w.string(s.server_name);
  });
  p.db = JsonString(s.table.database);
  p.table_members = members([&](JsonWriter& w) {
    if (IsPostgres(s)) {
      w.plain_key("schema");
      w.string(s.table.schema);
      w.plain_key("table");
      w.string(s.table.table);
    } else if (IsMySql(s)) {
      w.plain_key("table");
      WriteNullableString(w, s.table.table);
    } else {
      w.plain_key("schema");
      WriteNullableString(w, s.table.schema);
      w.plain_key("table");
      WriteNullableString(w, s.table.table);
    }
  });
  for (const SourceField& f : s.fields) {
    p.field_keys.push_back(ShowsSourceField(f, options) ? QuotedKey(f.name) : std::string());
  }
  return p;
}

void WriteSource(JsonWriter& w, const SourceInfo& s, const FormatOptions& options) {
  WriteSource(w, s, PrepareSource(s, options));
}

void WriteSource(JsonWriter& w, const SourceInfo& s, const SourceParts& parts) {
  int64_t us = s.commit_ts_us;
  w.begin_object();
  w.raw_members(parts.identity);
  w.plain_key("ts_ms");
  w.int64(FloorDiv(us, 1000));
  w.plain_key("snapshot");
  w.string(SnapshotMarkName(s.snapshot));
  w.plain_key("db");
  w.raw_value(parts.db);
  w.plain_key("sequence");
  WriteSequence(w, s.sequence);
  w.plain_key("ts_us");
  w.int64(us);
  w.plain_key("ts_ns");
  w.int64(us * 1000);
  w.raw_members(parts.table_members);
  for (size_t i = 0; i < s.fields.size() && i < parts.field_keys.size(); ++i) {
    if (parts.field_keys[i].empty()) continue;
    w.quoted_key(parts.field_keys[i]);
    WritePlainValue(w, s.fields[i].value);
  }
  w.end_object();
}

}  // namespace cdc::format
