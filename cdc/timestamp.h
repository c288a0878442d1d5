// Timestamps given on the command line (`--since`, `--until`, `--as-of`).
//
// Accepted forms, all read as an instant:
//   2026-12-04T10:15:30.123456Z    ISO 8601 / RFC 3339, 'T' or ' ' between
//   2026-12-04 10:15:30+01:00      date and time; a zone Z, +HH:MM, +HHMM or
//   2026-12-04T10:15               +HH; seconds and up to 9 fraction digits
//   2026-12-04                     optional (digits past microseconds must be
//                                  0); no zone means UTC; a date alone is
//                                  its midnight, UTC
//   1733307330123                  milliseconds since the epoch (as ts_ms)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cdc {

// Microseconds since the epoch, or nullopt when `text` is none of the forms.
std::optional<int64_t> ParseTimestampMicros(std::string_view text);

// "2026-12-04T10:15:30.123456Z" (fraction digits only when not zero).
std::string FormatTimestampMicros(int64_t us);

}  // namespace cdc
