// MySQL/MariaDB character sets -> UTF-8.
//
// A CHAR/VARCHAR/TEXT value in the binlog is raw bytes in its column's
// character set; TABLE_MAP optional metadata gives the collation id. The id
// is resolved through MariaDB Connector/C's compiled charset list
// (mariadb_get_charset_by_nr), which knows MySQL 8 ids (255+) and MariaDB 11
// UCA-14 ids (2048+) too, so cdcd keeps no collation table of its own.
//
// Conversion, by character set:
//   utf8, utf8mb3, utf8mb4   passed through unchanged (the server validates
//                            UTF-8 on every write, so it is never re-checked)
//   binary                   passed through unchanged (callers deliver it as
//                            Bytes; row_value_decoder never calls us for 63)
//   ascii                    passed through; a byte >= 0x80 is invalid
//   single-byte charsets     a 256-entry table built once from glibc iconv,
//                            corrected where MariaDB's own table differs
//                            (checked byte by byte against the server by
//                            charset_live_test). latin1 is cp1252 with
//                            0x81/0x8D/0x8F/0x90/0x9D as the C1 controls,
//                            exactly as the server maps them.
//   multi-byte charsets      glibc iconv, one iconv_t per charset per thread.
//                            sjis/ujis go through CP932/EUC-JP-MS and have the
//                            seven JIS X 0208 symbols MySQL maps differently
//                            (e.g. 0x815F -> U+005C, not U+FF3C) put back;
//                            the result equals the server's for every 1- and
//                            2-byte sequence. big5 uses glibc BIG5, whose ETEN
//                            rows (0xC6A1..0xC8FE) and a few symbols differ
//                            from MariaDB's table: those decode to glibc's
//                            code points.
//   keybcs2, filename, any   no converter: a value in such a column throws.
//   other charset iconv lacks
//
// Errors: bytes that are not a character of the charset (undefined single
// bytes, broken or truncated multi-byte sequences), and charsets without a
// converter, throw cdc::Error naming the charset, the byte offset and the
// offending byte. Nothing is substituted: a replica silently holding U+FFFD
// in place of data would be worse than a stopped pipeline, and the caller's
// message (table, column, row, binlog position) points at the row to fix.
//
// Unknown collation id (newer than the linked Connector/C): the bytes pass
// through unchanged, as before this module existed, with one warning per id.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cdc::mysql {

// The character set name (as the server spells it, e.g. "utf8mb4",
// "latin1", "sjis") of collation id `collation`; nullopt when unknown.
std::optional<std::string_view> CollationCharset(uint32_t collation);

// The most bytes one character of collation `collation`'s charset takes
// (utf8mb4: 4, latin1: 1); nullopt when unknown.
std::optional<uint32_t> CollationMaxBytesPerChar(uint32_t collation);

// Converts `text`, bytes in MySQL character set `charset`, to UTF-8. Throws
// cdc::Error as described above.
std::string CharsetToUtf8(std::string_view text, std::string_view charset);

// CharsetToUtf8 for the charset of `collation`; unknown ids pass through.
std::string CollationToUtf8(std::string_view text, uint32_t collation);

}  // namespace cdc::mysql
