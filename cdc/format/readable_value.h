// Column values as the flat format writes them: readable JSON that keeps
// every value exact.
//
//   boolean, integers       JSON booleans and integers (uint64 unsigned)
//   float32 / float64       shortest round-trip numbers; "NaN", "Infinity",
//                           "-Infinity" as strings (JSON has no such numbers)
//   decimal                 the exact decimal as a string ("12.50", "NaN")
//   string, enum, set, uuid text
//   json                    the document itself, embedded (compacted to one line)
//   bytes                   base64
//   geometry                {"wkb": base64 of the WKB, "srid": n or null (none)}
//   bits                    boolean for bit(1), else a bit string "1010",
//                           most significant bit first
//   date                    "2024-03-05"
//   time                    "13:45:00.5" (may be negative or past 24h: MySQL TIME)
//   timetz                  in UTC: "11:45:00Z"
//   timestamp               "2024-03-05T13:45:00.5" (no zone: a wall-clock reading)
//   timestamptz             "2024-03-05T11:45:00.5Z"
//   ±infinite timestamps    "infinity" / "-infinity"
//   interval                ISO-8601 duration, "P1Y2M3DT4H5M6.5S"
//   year                    integer
//   array                   JSON array of the element values
// Fractions of seconds show the column's precision when it has one, else as
// many digits as needed (none when zero).
#pragma once

#include "cdc/format/json_writer.h"
#include "cdc/format/value_access.h"

namespace cdc::format {

void WriteReadableValue(JsonWriter& w, const FieldRef& f, const Value& v);

}  // namespace cdc::format
