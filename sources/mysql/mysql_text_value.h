// Snapshot values: a row read with a plain SELECT arrives through the text
// protocol; TextToValue turns each text value into the very cdc::Value the
// binlog decoder (row_value_decoder.h) yields for the same column, so that a
// snapshot row and a streamed row of the same data are indistinguishable.
//
// What the SELECT must look like (SnapshotSelectExpr) and the session it
// runs in:
//  - the connection character set is utf8mb4 (MySqlConnection sets it), so
//    text arrives as UTF-8 whatever the column's charset (the decoder
//    converts latin1 itself; here the server already did);
//  - the session time_zone is '+00:00', so TIMESTAMP text is UTC;
//  - FLOAT is selected as `col + 0E0`: the server prints a FLOAT with 6
//    significant digits, losing bits the binlog has, but prints the DOUBLE it
//    widens to exactly; strtof of that text is the stored float again.
// Other forms: BIT arrives as its raw big-endian bytes, GEOMETRY as the
// 4-byte SRID + WKB, ENUM/SET as member names, JSON (MySQL) as its canonical
// text, TIME as [-]h:mm:ss[.f] (may exceed 24h).
#pragma once

#include <string>
#include <string_view>

#include "cdc/value.h"
#include "sources/mysql/row_value_decoder.h"
#include "sources/mysql/table_map_event.h"

namespace cdc::mysql {

// The Value of one non-NULL text value of `col`. Throws cdc::Error when the
// text is not a value of that type; the caller adds table/column context.
Value TextToValue(std::string_view text, const TableMapColumn& col, const RowDecodeOptions& opts);

// The SELECT-list expression reading `col` (named `quoted_name`, already
// quoted) in the form TextToValue expects.
std::string SnapshotSelectExpr(const TableMapColumn& col, const std::string& quoted_name);

}  // namespace cdc::mysql
