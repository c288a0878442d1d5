#include "sources/postgres/pg_type_map.h"

#include "cdc/error.h"

namespace cdc::pg {
namespace {

// PostgreSQL's built-in type OIDs (pg_type.dat); stable across versions.
enum : uint32_t {
  kBoolOid = 16,
  kByteaOid = 17,
  kCharOid = 18,
  kNameOid = 19,
  kInt8Oid = 20,
  kInt2Oid = 21,
  kInt4Oid = 23,
  kTextOid = 25,
  kOidOid = 26,
  kJsonOid = 114,
  kXmlOid = 142,
  kCidrOid = 650,
  kFloat4Oid = 700,
  kFloat8Oid = 701,
  kMacaddr8Oid = 774,
  kMoneyOid = 790,
  kMacaddrOid = 829,
  kInetOid = 869,
  kBpcharOid = 1042,
  kVarcharOid = 1043,
  kDateOid = 1082,
  kTimeOid = 1083,
  kTimestampOid = 1114,
  kTimestampTzOid = 1184,
  kIntervalOid = 1186,
  kTimeTzOid = 1266,
  kBitOid = 1560,
  kVarbitOid = 1562,
  kNumericOid = 1700,
  kUuidOid = 2950,
  kJsonbOid = 3802,
};

ColumnCodec Make(ColumnType type, PgKind kind) {
  ColumnCodec c;
  c.column.type = type;
  c.kind = kind;
  return c;
}

// time(p), timestamp(p)...: typmod is p; -1 means the default, 6.
ColumnCodec Temporal(ColumnType type, PgKind kind, int32_t typmod) {
  ColumnCodec c = Make(type, kind);
  c.column.precision = typmod >= 0 ? typmod : 6;
  return c;
}

// varchar(n), bpchar(n): typmod is n + 4 (VARHDRSZ).
ColumnCodec Text(int32_t typmod) {
  ColumnCodec c = Make(ColumnType::kString, PgKind::kText);
  if (typmod >= 4) c.column.length = typmod - 4;
  return c;
}

}  // namespace

std::optional<ColumnCodec> BuiltinCodec(uint32_t oid, int32_t typmod) {
  switch (oid) {
    case kBoolOid:
      return Make(ColumnType::kBoolean, PgKind::kBool);
    case kInt2Oid:
      return Make(ColumnType::kInt16, PgKind::kInt);
    case kInt4Oid:
      return Make(ColumnType::kInt32, PgKind::kInt);
    case kInt8Oid:
    case kOidOid:
      return Make(ColumnType::kInt64, PgKind::kInt);
    case kFloat4Oid:
      return Make(ColumnType::kFloat32, PgKind::kFloat4);
    case kFloat8Oid:
      return Make(ColumnType::kFloat64, PgKind::kFloat8);
    case kNumericOid: {
      ColumnCodec c = Make(ColumnType::kDecimal, PgKind::kNumeric);
      if (typmod >= 4) {
        // numeric typmod: ((precision << 16) | (scale & 0x7ff)) + 4; the
        // scale is an 11-bit signed value since PostgreSQL 15.
        int32_t t = typmod - 4;
        c.column.precision = (t >> 16) & 0xffff;
        c.column.scale = ((t & 0x7ff) ^ 1024) - 1024;
      }
      return c;
    }
    case kMoneyOid: {
      ColumnCodec c = Make(ColumnType::kDecimal, PgKind::kMoney);
      c.column.scale = 2;  // lc_monetary C, as cdcd's sessions set it
      return c;
    }
    case kCharOid:
    case kNameOid:
    case kTextOid:
    case kXmlOid:
    case kInetOid:
    case kCidrOid:
    case kMacaddrOid:
    case kMacaddr8Oid:
      return Make(ColumnType::kString, PgKind::kText);
    case kBpcharOid:
    case kVarcharOid:
      return Text(typmod);
    case kByteaOid:
      return Make(ColumnType::kBytes, PgKind::kBytea);
    case kUuidOid:
      return Make(ColumnType::kUuid, PgKind::kUuid);
    case kJsonOid:
    case kJsonbOid:
      return Make(ColumnType::kJson, PgKind::kJson);
    case kDateOid:
      return Make(ColumnType::kDate, PgKind::kDate);
    case kTimeOid:
      return Temporal(ColumnType::kTime, PgKind::kTime, typmod);
    case kTimeTzOid:
      return Temporal(ColumnType::kTimeTz, PgKind::kTimeTz, typmod);
    case kTimestampOid:
      return Temporal(ColumnType::kTimestamp, PgKind::kTimestamp, typmod);
    case kTimestampTzOid:
      return Temporal(ColumnType::kTimestampTz, PgKind::kTimestampTz, typmod);
    case kIntervalOid:
      return Make(ColumnType::kInterval, PgKind::kInterval);
    case kBitOid:
    case kVarbitOid: {
      ColumnCodec c = Make(ColumnType::kBits, PgKind::kBits);
      if (typmod >= 0) c.column.length = typmod;
      return c;
    }
    default:
      return std::nullopt;
  }
}

ColumnCodec PgTypeMap::resolve(uint32_t oid, int32_t typmod) {
  return resolve(oid, typmod, 0);
}

ColumnCodec PgTypeMap::resolve(uint32_t oid, int32_t typmod, int depth) {
  if (depth > 16) throw Error("type OID " + std::to_string(oid) + ": domain/array chain too deep");
  if (auto builtin = BuiltinCodec(oid, typmod)) return *builtin;
  const PgTypeInfo& t = catalog_.type(oid);
  if (t.typtype == 'd') {
    // A domain's own typmod is -1; the base type's is the domain's typtypmod.
    return resolve(t.base_oid, typmod >= 0 ? typmod : t.base_typmod, depth + 1);
  }
  if (t.category == 'A' && t.element_oid != 0) {
    // An array column's typmod is its element's (numeric(10,2)[]).
    ColumnCodec element = resolve(t.element_oid, typmod, depth + 1);
    if (element.is_array) {
      throw Error("type " + t.name + ": arrays of array-typed domains are not supported");
    }
    ColumnCodec c = element;
    c.column.type = ColumnType::kArray;
    c.column.element_type = element.column.type;
    c.is_array = true;
    c.delimiter = catalog_.type(t.element_oid).delimiter;
    return c;
  }
  if (t.typtype == 'e') {
    ColumnCodec c = Make(ColumnType::kEnum, PgKind::kText);
    c.column.enum_values = t.enum_labels;
    return c;
  }
  if (t.typtype == 'r' || t.typtype == 'm') return Make(ColumnType::kString, PgKind::kText);
  if (warned_.insert(oid).second && warn_) {
    warn_("type " + t.name + " (OID " + std::to_string(oid) +
          ") has no structured mapping in cdcd: its values are carried as PostgreSQL's text "
          "form, with the type name in the schema");
  }
  return Make(ColumnType::kUnknown, PgKind::kText);
}

}  // namespace cdc::pg
