// Decoding one column value of a row image into a cdc::Value.
//
// Representations (the contract the rest of cdcd relies on):
//   TINYINT..BIGINT      int64; BIGINT UNSIGNED as uint64; smaller unsigned
//                        ints as int64 of the unsigned value. Signedness
//                        comes from the TABLE_MAP optional metadata; without
//                        it values are read as signed (the binlog has no
//                        other source for it).
//   FLOAT, DOUBLE        double (FLOAT widened exactly); FLOAT(M,D) rounded
//                        to D digits (FloatAtScale), as the server shows it
//   DECIMAL              Decimal, exact text with `scale` fraction digits
//   YEAR                 int64 (0 or 1901..2155)
//   DATE                 Date; DATETIME Timestamp (wall clock as UTC);
//   TIMESTAMP            TimestampTz (the binlog stores UTC seconds);
//   TIME                 Time (signed microseconds, may exceed 24h)
//   zero/invalid dates   null, or the literal MySQL text ("0000-00-00 00:00:00")
//                        with ZeroDatePolicy::kString
//   CHAR/VARCHAR/TEXT    std::string in UTF-8, converted from the column's
//                        charset (charset.h; bytes invalid in it throw);
//                        binary collation (63) as Bytes; TEXT
//                        with no collation metadata as Bytes (indistinguishable
//                        from BLOB without the schema)
//   BINARY/VARBINARY/BLOB Bytes; BINARY(n) padded back to n bytes with 0x00
//                        (the binlog drops the padding, SELECT returns it)
//   UUID, INET4, INET6   (MariaDB) std::string, the server's text form
//                        (mariadb_types.h)
//   ENUM, SET            member names (SET comma-separated) when the value
//                        lists are known, else the 1-based index / bitmap as int64
//   BIT                  Bytes, little-endian (kBits), (bits+7)/8 bytes
//   JSON                 Json text (see json_binary.h)
//   GEOMETRY             Bytes as the server stores it: the SRID (4 bytes,
//                        little-endian), then the WKB (kGeometry's contract)
//   VECTOR               Bytes (little-endian float32s)
#pragma once

#include "cdc/value.h"
#include "sources/mysql/byte_cursor.h"
#include "sources/mysql/table_map_event.h"

namespace cdc::mysql {

enum class ZeroDatePolicy { kNull, kString };

struct RowDecodeOptions {
  ZeroDatePolicy zero_date = ZeroDatePolicy::kNull;
};

// Reads one non-NULL value of `col` from `c`. Throws cdc::Error on truncated
// or impossible data; the caller adds table/column/position context.
Value DecodeColumnValue(ByteCursor& c, const TableMapColumn& col, const RowDecodeOptions& opts);

// The double a FLOAT(M,D) value shows: `f` rounded to `scale` fraction
// digits (the server rounds on insert, so this is the value written).
double FloatAtScale(float f, int scale);

// Converts text in MySQL collation `collation` to UTF-8 (CollationToUtf8 in
// charset.h: throws on bytes invalid in the charset, passes unknown ids through).
std::string ToUtf8(std::string_view text, uint32_t collation);

}  // namespace cdc::mysql
