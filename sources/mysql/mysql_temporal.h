// MySQL temporal encodings: the "packed" longlong form used by DATETIME2 /
// TIME2 (and by JSON opaque DATE/TIME/DATETIME values), and calendar helpers.
//
// Packed form (my_time.h): intpart << 24 | microseconds. For DATETIME the
// intpart is ((year*13+month) << 5 | day) << 17 | hour << 12 | minute << 6 |
// second; for TIME it is hour << 12 | minute << 6 | second, and the whole
// packed value is negated for negative times.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cdc::mysql {

struct DateTimeParts {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  int micros = 0;
  bool is_zero_date() const { return year == 0 || month == 0 || day == 0; }
};

// Bytes of fractional seconds stored for fsp 0..6.
inline int FractionBytes(int fsp) {
  return (fsp + 1) / 2;
}

// DATETIME2 (5 + FractionBytes(fsp) bytes, big-endian) to its packed form.
int64_t DateTime2ToPacked(std::string_view bytes, int fsp);
// TIME2 (3 + FractionBytes(fsp) bytes) to its packed form (may be negative).
int64_t Time2ToPacked(std::string_view bytes, int fsp);

DateTimeParts UnpackDateTime(int64_t packed);
// Signed microseconds of a packed TIME.
int64_t PackedTimeToMicros(int64_t packed);

// Days since 1970-01-01 of a proleptic Gregorian date.
int32_t DaysFromCivil(int year, int month, int day);

// "YYYY-MM-DD", "YYYY-MM-DD hh:mm:ss[.ffffff]" (fsp digits), "[-]h:mm:ss[.f]".
std::string FormatDate(const DateTimeParts& p);
std::string FormatDateTime(const DateTimeParts& p, int fsp);
std::string FormatTime(int64_t micros, int fsp);

}  // namespace cdc::mysql
