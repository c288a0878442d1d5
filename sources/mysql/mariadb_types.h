// MariaDB's own fixed-size types in the binlog.
//
// UUID (10.7+), INET4 (10.10+) and INET6 (10.5+) travel in row events as
// BINARY(16), BINARY(4) and BINARY(16) strings: nothing in a TABLE_MAP tells
// them from binary columns, so TableMapEnricher marks them from
// information_schema. Their values are emitted as the text the server prints
// for them (what a snapshot's SELECT returns), so that a streamed row equals
// the snapshot row of the same data:
//   UUID   8-4-4-4-12 lower-case hex of the 16 bytes in order (as MariaDB
//          10.11 writes them to the binlog, version 1 UUIDs too)
//   INET4  dotted decimal
//   INET6  lower-case hex groups without leading zeros; the longest run of
//          zero groups (the first of equal runs, even a single group)
//          becomes "::"; ::a.b.c.d and ::ffff:a.b.c.d for IPv4-compatible
//          and IPv4-mapped addresses, as MariaDB's Inet6::to_string
#pragma once

#include <string>
#include <string_view>

#include "sources/mysql/table_map_event.h"

namespace cdc::mysql {

// The text of `bytes` (the column's full width: the binlog's trailing 0x00
// padding restored) for `type` != kNone. Throws cdc::Error on a wrong width.
std::string MariaDbTypeText(MariaDbType type, std::string_view bytes);

}  // namespace cdc::mysql
