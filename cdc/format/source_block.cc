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

void WriteSource(JsonWriter& w, const SourceInfo& s, const FormatOptions& options) {
  int64_t us = s.commit_ts_us;
  w.begin_object();
  w.plain_key("version");
  w.string(kCdcdVersion);
  w.plain_key("connector");
  w.string(s.connector);
  w.plain_key("name");
  w.string(s.server_name);
  w.plain_key("ts_ms");
  w.int64(FloorDiv(us, 1000));
  w.plain_key("snapshot");
  w.string(SnapshotMarkName(s.snapshot));
  w.plain_key("db");
  w.string(s.table.database);
  w.plain_key("sequence");
  WriteSequence(w, s.sequence);
  w.plain_key("ts_us");
  w.int64(us);
  w.plain_key("ts_ns");
  w.int64(us * 1000);
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
  for (const SourceField& f : s.fields) {
    if (!ShowsSourceField(f, options)) continue;
    w.key(f.name);
    WritePlainValue(w, f.value);
  }
  w.end_object();
}

}  // namespace cdc::format
