// Lsn: a PostgreSQL WAL position (XLogRecPtr) and its "X/X" text form.
//
// The text form is what the server prints (pg_current_wal_lsn()) and what
// START_REPLICATION accepts: the high and low 32 bits in upper-case hex,
// separated by '/'. cdcd's offsets store LSNs in this form so that they can be
// read and compared by hand against the server's views.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cdc::pg {

using Lsn = uint64_t;

// "16/B374D848" for 0x16B374D848.
std::string FormatLsn(Lsn lsn);
// Inverse of FormatLsn (any hex case); nullopt for anything else.
std::optional<Lsn> ParseLsn(std::string_view text);

}  // namespace cdc::pg
