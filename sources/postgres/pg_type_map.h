// PgTypeMap: a PostgreSQL column type (OID + typmod) -> how cdcd presents it
// (a logical cdc::Column type, as Debezium's PostgreSQL connector maps it) and
// how its text is parsed (PgKind).
//
// Mapping (typmod decides precision/scale/length):
//   bool->kBoolean  int2->kInt16  int4->kInt32  int8,oid->kInt64
//   float4->kFloat32  float8->kFloat64
//   numeric(p,s)->kDecimal p,s; numeric->kDecimal with no scale (variable)
//   money->kDecimal scale 2      char/varchar/text/name/bpchar->kString (length)
//   bytea->kBytes  uuid->kUuid  json/jsonb->kJson  xml->kString
//   date->kDate  time(p)->kTime  timetz(p)->kTimeTz  timestamp(p)->kTimestamp
//   timestamptz(p)->kTimestampTz (precision p, 6 when unset)  interval->kInterval
//   bit(n)/varbit(n)->kBits length n (bit(1) presents as a boolean)
//   inet/cidr/macaddr/macaddr8->kString   enum->kEnum with its labels
//   domain->its base type (source_type keeps the domain's name)
//   range/multirange->kString (the range literal)   T[]->kArray of T's mapping
//   anything else (hstore, ltree, PostGIS...)->kUnknown, carried as text,
//   with a warning logged once per type.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>

#include "cdc/table_schema.h"
#include "sources/postgres/pg_catalog.h"
#include "sources/postgres/pg_type_parser.h"

namespace cdc::pg {

// How one column is presented and parsed.
struct ColumnCodec {
  Column column;  // everything but name, source_type and nullable
  PgKind kind = PgKind::kText;
  bool is_array = false;  // kind is then the element's kind
  char delimiter = ',';

  Value parse(std::string_view text) const {
    return is_array ? ParsePgArray(kind, delimiter, text) : ParsePgText(kind, text);
  }
};

// The mapping for a built-in scalar type, or nullopt when `oid` is not one.
std::optional<ColumnCodec> BuiltinCodec(uint32_t oid, int32_t typmod);

class PgTypeMap {
 public:
  // `warn` receives one message per type that falls back to text.
  PgTypeMap(PgCatalog& catalog, std::function<void(const std::string&)> warn)
      : catalog_(catalog), warn_(std::move(warn)) {}

  ColumnCodec resolve(uint32_t oid, int32_t typmod);

 private:
  ColumnCodec resolve(uint32_t oid, int32_t typmod, int depth);

  PgCatalog& catalog_;
  std::function<void(const std::string&)> warn_;
  std::set<uint32_t> warned_;
};

}  // namespace cdc::pg
