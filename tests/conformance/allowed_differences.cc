#include "tests/conformance/allowed_differences.h"

#include <cstdint>
#include <vector>

namespace cdc::testing {
namespace {

using nlohmann::json;

struct AllowedDifference {
  const char* path;
  bool snapshot_reads_only;  // only in records with op "r"
};

const std::vector<AllowedDifference>& AllowedDifferences() {
  static const std::vector<AllowedDifference> list = {
      // docs/debezium-compatibility.md, Differences:
      // "| `source.version` | cdcd's version | `3.6.1.Final` | names the producer; ..."
      {"source.version", false},
      // docs/debezium-compatibility.md, Differences:
      // "| Envelope `ts_ns` | capture time in µs × 1000 | sub-microsecond digits | ..."
      // The envelope's ts_ms, ts_us and ts_ns are the time each process
      // handled the change (capture time), different for any two processes.
      {"ts_ms", false},
      {"ts_us", false},
      {"ts_ns", false},
      // Snapshot reads: each capture takes its own snapshot (its own slot and
      // exported snapshot), so the time, WAL position and transaction of a
      // read differ between any two captures: two Debezium captures of one
      // database differ in exactly these fields and the envelope's times.
      // The shape may not: a null txId or sequence where Debezium has one
      // still fails.
      {"source.ts_ms", true},
      {"source.ts_us", true},
      {"source.ts_ns", true},
      {"source.lsn", true},
      {"source.txId", true},
      {"source.sequence", true},
      // MySQL/MariaDB: the binlog position each capture's snapshot read.
      {"source.file", true},
      {"source.pos", true},
  };
  return list;
}

// Same JSON type; strings holding JSON arrays (source.sequence) must hold
// arrays of the same length and element types.
bool SameShape(const json& a, const json& b) {
  if (a.type() != b.type() && !(a.is_number() && b.is_number())) return false;
  if (!a.is_string() || a.get<std::string>().rfind('[', 0) != 0) return true;
  const json pa = json::parse(a.get<std::string>(), nullptr, false);
  const json pb = json::parse(b.get<std::string>(), nullptr, false);
  if (!pa.is_array() || !pb.is_array() || pa.size() != pb.size()) return false;
  for (size_t i = 0; i < pa.size(); ++i) {
    if (pa[i].type() != pb[i].type()) return false;
  }
  return true;
}

// docs/debezium-compatibility.md, Differences:
// "| Numbers | shortest round-trip form (`1e-300`) | Java's (`1.0E-300`) | same value ..."
// json_diff compares numbers by value, as doubles. A `real` column holds
// float32 values, whose shortest form (1e-45) and Java's (1.4E-45) are the
// same float but not the same double: they compare as floats.
bool SameFloat32(const FieldDifference& d, const RecordContext& r) {
  if (!r.float32_columns || !d.cdcd || !d.debezium) return false;
  if (!d.cdcd->is_number() || !d.debezium->is_number()) return false;
  std::string column;
  for (const char* image : {"before.", "after."}) {
    if (d.path.rfind(image, 0) == 0) column = d.path.substr(std::string(image).size());
  }
  column = column.substr(0, column.find('['));
  return !column.empty() && r.float32_columns->count(r.table + "." + column) > 0 &&
         d.cdcd->get<float>() == d.debezium->get<float>();
}

bool IsNumber(const std::optional<json>& v) {
  return v && v->is_number();
}
bool IsNull(const std::optional<json>& v) {
  return v && v->is_null();
}

// The column name of a row-image path ("after.c_date" -> "c_date"), or "".
std::string ImageColumn(const std::string& path) {
  for (const char* image : {"before.", "after."}) {
    if (path.rfind(image, 0) == 0) {
      std::string column = path.substr(std::string(image).size());
      return column.substr(0, column.find('['));
    }
  }
  return "";
}

// Differences from Debezium being inconsistent with itself or writing a
// wrong value, each a row of docs/debezium-compatibility.md's Differences.
bool IsDebeziumQuirk(const FieldDifference& d, const RecordContext& r) {
  const std::string column = ImageColumn(d.path);
  // "| BC dates in snapshot rows | ... | the era dropped (44 BC read as 44 AD) |"
  if (r.op == "r" && column == "c_date" && IsNumber(d.cdcd) && IsNumber(d.debezium))
    return d.cdcd->get<int64_t>() < d.debezium->get<int64_t>();
  // "| Timestamps past 294247 AD | clamped ... | wrapped around |"
  if (IsNumber(d.cdcd) && d.cdcd->get<int64_t>() == INT64_MAX - 1 && IsNumber(d.debezium))
    return d.debezium->get<int64_t>() < 0;
  // "| Multi-dimensional arrays | nested lists | a null per item |": in the
  // payload a nested list; in Connect's rendering (schema: list of int32)
  // whatever Connect makes of it.
  if (column == "c_int_arr" && d.path.find('[') != std::string::npos && IsNull(d.debezium))
    return d.cdcd && (d.cdcd->is_array() || d.cdcd->is_number());
  // The test runs Debezium with replace.null.with.default=false (see
  // capture_processes.cc), under which its streamed records show
  // source.snapshot as null; with Kafka's default, as every Debezium user
  // gets it and as cdcd writes it, it is its schema default "false".
  if (d.path == "source.snapshot" && r.op != "r" && IsNull(d.debezium))
    return d.cdcd && *d.cdcd == "false";
  // "| `name` columns of streamed changes | the value | null |"
  if (r.op != "r" && column == "c_name" && IsNull(d.debezium)) return d.cdcd && d.cdcd->is_string();
  // "| `source.sequence` of the first transaction after a start | ... |":
  // cdcd's own signal-table write commits before it; Debezium never sees it.
  if (d.path == "source.sequence" && d.cdcd && d.debezium && d.cdcd->is_string() &&
      d.debezium->is_string()) {
    const json c = json::parse(d.cdcd->get<std::string>(), nullptr, false);
    const json b = json::parse(d.debezium->get<std::string>(), nullptr, false);
    return c.is_array() && b.is_array() && c.size() == 2 && b.size() == 2 && b[0].is_null() &&
           c[1] == b[1];
  }
  return false;
}

bool IsString(const std::optional<json>& v) {
  return v && v->is_string();
}

// The MariaDB rows of docs/debezium-compatibility.md's Differences (Debezium
// 3.5.0's MariaDB connector), each checked for its exact values.
bool IsMariaDbDifference(const FieldDifference& d, const RecordContext& r) {
  if (r.connector != "mariadb") return false;
  const std::string column = ImageColumn(d.path);
  // "| `FLOAT(M,D)` values | rounded to D digits ... | the float's binary expansion |"
  if (column == "c_float73" && IsNumber(d.cdcd) && IsNumber(d.debezium))
    return d.cdcd->get<float>() == d.debezium->get<float>();
  // "| `YEAR` 0 | `0` | `1900` |"
  if (column == "c_year" && IsNumber(d.cdcd) && IsNumber(d.debezium))
    return d.cdcd->get<int64_t>() == 0 && d.debezium->get<int64_t>() == 1900;
  // "| Zero `TIMESTAMP` in a nullable column | `null` | the epoch |"
  if ((column == "c_ts" || column == "c_ts6") && IsNull(d.cdcd) && IsString(d.debezium))
    return d.debezium->get<std::string>().rfind("1970-01-01T00:00:00", 0) == 0;
  // "| `TIMESTAMP(6)` snapshot value with a zero fraction | `…:01.000000Z` | `…:01Z` ... |"
  if (r.op == "r" && column == "c_ts6" && IsString(d.cdcd) && IsString(d.debezium)) {
    std::string c = d.cdcd->get<std::string>();
    const size_t fraction = c.find(".000000Z");
    return fraction != std::string::npos &&
           c.replace(fraction, 8, "Z") == d.debezium->get<std::string>();
  }
  // "| MySQL/MariaDB `source.ts_ms` (and `ts_us`, `ts_ns`) of streamed changes | the
  // transaction's time ... | each row event's own time ... | ... cdcd's is then the later |"
  if (r.op != "r" &&
      (d.path == "source.ts_ms" || d.path == "source.ts_us" || d.path == "source.ts_ns") &&
      IsNumber(d.cdcd) && IsNumber(d.debezium)) {
    return d.cdcd->get<int64_t>() > d.debezium->get<int64_t>();
  }
  // "| MariaDB version-1 `UUID`s in streamed rows | the UUID as inserted | shifted bytes |"
  if (r.op != "r" && column == "c_uuid" && IsString(d.cdcd) && IsString(d.debezium)) {
    const std::string c = d.cdcd->get<std::string>();
    return c.size() == 36 && c[14] == '1' && d.debezium->get<std::string>().size() == 36;
  }
  return false;
}

}  // namespace

bool IsAllowedOnlyInCdcd(const RecordContext& record) {
  // docs/debezium-compatibility.md, Differences:
  // "| MariaDB `INET4`/`INET6` | the address text ... | its DDL parser fails ..."
  return record.connector == "mariadb" && record.table == "inet_types";
}

bool IsAllowedDifference(const FieldDifference& d, const RecordContext& record) {
  if (SameFloat32(d, record)) return true;
  if (IsDebeziumQuirk(d, record)) return true;
  if (IsMariaDbDifference(d, record)) return true;
  if (!d.cdcd || !d.debezium || !SameShape(*d.cdcd, *d.debezium)) return false;
  for (const AllowedDifference& a : AllowedDifferences()) {
    if (d.path == a.path && (!a.snapshot_reads_only || record.op == "r")) return true;
  }
  return false;
}

}  // namespace cdc::testing
