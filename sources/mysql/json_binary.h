// MySQL binary JSON (sql-common/json_binary.cc) to JSON text.
//
// The binlog carries JSON columns in the server's binary format: a type byte
// followed by objects/arrays with offset tables, scalars, and "opaque" values
// (a MySQL column type plus its binary data) for DECIMAL, DATE, TIME,
// DATETIME, TIMESTAMP and anything else. Opaque values are rendered the way
// MySQL prints them: DECIMAL as a JSON number, temporals as quoted strings
// ("2012-03-18 11:30:45.000000"), other types as
// "base64:type<N>:<base64 data>". Output uses MySQL's spacing
// ({"a": 1, "b": [1, 2]}). An empty input (JSON column of length 0, which
// MySQL writes for a JSON NULL inserted in some paths) renders as "null".
#pragma once

#include <string>
#include <string_view>

namespace cdc::mysql {

// Throws cdc::Error on malformed input (offsets out of range, bad type byte,
// nesting deeper than MySQL allows).
std::string JsonBinaryToText(std::string_view binary);

}  // namespace cdc::mysql
