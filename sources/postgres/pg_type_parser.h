// PgTypeParser: PostgreSQL's text output of one value -> an exact cdc::Value.
//
// pgoutput (protocol 1) sends every value in its type's text output form.
// cdcd fixes the session settings that shape that text on every connection it
// opens (see kSessionOptions in pg_connection.h: DateStyle ISO, TimeZone UTC,
// IntervalStyle iso_8601, extra_float_digits 3, bytea_output hex), so the
// parsers below need to understand exactly one form per type, and they reject
// anything else with an error that quotes the text, instead of guessing.
//
// Exactness: integers and numerics never pass through floating point;
// float4 is parsed as a float and widened, so the double holds exactly the
// stored float4; times are integer microseconds; BC dates and years beyond
// 9999 are handled; ±infinity timestamps map to INT64_MAX/MIN and ±infinity
// dates to INT32_MAX/MIN (Value's conventions). Values whose type cdcd has no
// structured form for (ranges, network addresses, enums, extension types)
// stay the server's text, which is their exact external form.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cdc/civil_date.h"
#include "cdc/value.h"

namespace cdc::pg {

// How a column's text is to be parsed: one per PostgreSQL type family.
// Domains use their base type's kind; arrays name their element's kind.
enum class PgKind {
  kBool,
  kInt,      // int2, int4, int8, oid
  kFloat4,   // parsed as float (exact float4 value), NaN/±Infinity allowed
  kFloat8,   // NaN/±Infinity allowed
  kNumeric,  // Decimal text as sent, including NaN and ±Infinity
  kMoney,    // "$1,234.56" / "-$1.00" (lc_monetary C) -> Decimal "1234.56"
  kText,     // kept verbatim: text types, enums, ranges, inet, extension types...
  kBytea,
  kUuid,
  kJson,  // json and jsonb: already valid JSON text
  kDate,
  kTime,
  kTimeTz,
  kTimestamp,
  kTimestampTz,
  kInterval,
  kBits,  // bit / varbit -> Bytes, little-endian (last character = bit 0)
};

const char* PgKindName(PgKind kind);

// Parses one non-null value. Throws cdc::Error quoting the text and naming
// the kind when it is not in the expected form.
Value ParsePgText(PgKind kind, std::string_view text);

// Parses an array literal ("{1,2,NULL}", "{{a,b},{c,d}}", "[0:1]={x,y}")
// whose elements are of `element` kind and separated by `delimiter`.
// Multi-dimensional arrays become nested Arrays; lower bounds are dropped.
Value ParsePgArray(PgKind element, char delimiter, std::string_view text);

// Days since 1970-01-01 of a proleptic Gregorian date; `year` is
// astronomical (1 BC = 0). Exposed for tests.
using cdc::DaysFromCivil;

}  // namespace cdc::pg
