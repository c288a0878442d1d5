// Column values in Debezium's JSON encoding (the payload side of the
// mapping documented in debezium_schema.h).
//
// Choices where Debezium gives no single answer:
//   * Float NaN / ±Infinity are the strings "NaN", "Infinity", "-Infinity",
//     as Kafka's JsonConverter writes them (Jackson quotes non-numbers).
//   * A NaN or infinite decimal has no precise (bytes) form: it is written as
//     null when the column is nullable, and throws otherwise (Debezium fails
//     the same way). In string mode it is "NAN", "POSITIVE_INFINITY" or
//     "NEGATIVE_INFINITY" (Debezium's SpecialValueDecimal names), in double
//     mode the float strings above.
//   * Infinite timestamps: "infinity" / "-infinity" in the string encodings
//     (ZonedTimestamp, IsoTimestamp); in the integer encodings the PostgreSQL
//     JDBC sentinels Debezium documents (9223372036825200000 µs for infinity,
//     -9223372036832400000 µs for -infinity, divided by 1000 for ms).
//   * Interval: exact microseconds with a month of 365.25 / 12 days.
#pragma once

#include "cdc/format.h"
#include "cdc/format/json_writer.h"
#include "cdc/format/value_access.h"

namespace cdc::format {

void WriteDebeziumValue(JsonWriter& w, const FieldRef& f, const Value& v,
                        const FormatOptions& options);

}  // namespace cdc::format
