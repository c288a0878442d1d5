// Value encodings shared by the Debezium and flat formats: exact decimal
// text to two's complement bytes, base64, and ISO-8601 text for dates, times,
// timestamps and intervals. Everything here is integer arithmetic on the
// exact inputs; no floating point touches a decimal or a time.
//
// Text results come back in a TextBuf (a fixed buffer on the stack) so that
// formatting a timestamp on the hot path allocates nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cdc/value.h"

namespace cdc::format {

// A short formatted text, held inline.
struct TextBuf {
  char data[64];
  size_t size = 0;

  std::string_view view() const { return {data, size}; }
  void append(std::string_view s);
  void append(char c) { data[size++] = c; }
  // `v` in decimal, left-padded with zeros to at least `width` digits.
  void append_padded(uint64_t v, int width);
};

// ---- Decimals ----

// A decimal text ("-12.50", "NaN", "Infinity", "-Infinity") taken apart.
struct ParsedDecimal {
  enum class Kind { kFinite, kNaN, kPositiveInfinity, kNegativeInfinity };
  Kind kind = Kind::kFinite;
  bool negative = false;
  std::string digits;  // integer then fraction digits, point removed
  int32_t scale = 0;   // number of fraction digits in the text
};

// nullopt when `text` is not optional sign, digits, optional '.' and digits
// (at least one digit in all), nor one of the special values.
std::optional<ParsedDecimal> ParseDecimal(std::string_view text);

// The unscaled value of a finite decimal rescaled to `scale`, as the minimal
// big-endian two's complement bytes Java's BigInteger.toByteArray() gives
// (what Kafka's Decimal logical type carries). Rescaling only appends zeros or
// drops zero digits; nullopt when a non-zero digit would be lost.
std::optional<std::string> UnscaledBytes(const ParsedDecimal& d, int32_t scale);

// The decimal as BigDecimal.toPlainString() writes it: no '+', no leading
// zeros, "0" before a bare point, no sign on zero; special values as parsed
// from ("NaN", "Infinity", "-Infinity").
std::string PlainString(const ParsedDecimal& d);

// Minimal big-endian two's complement of the integer (-1)^negative * digits.
std::string TwosComplement(bool negative, std::string_view digits);

// ---- Bytes ----

// Standard base64 with padding (what Jackson writes for byte arrays).
std::string Base64(std::string_view bytes);
inline size_t Base64Length(size_t n) {
  return (n + 2) / 3 * 4;
}
// Writes Base64Length(bytes.size()) chars at `out`; returns the end.
char* EncodeBase64(std::string_view bytes, char* out);

// ---- Calendar ----

int64_t FloorDiv(int64_t a, int64_t b);
int64_t FloorMod(int64_t a, int64_t b);

inline constexpr int64_t kMicrosPerSecond = 1'000'000;
inline constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

// How many fraction-of-second digits to print: a fixed count (1..6), or
// kStripZeros for "as many as needed, none when zero" (Java's ISO formatters).
inline constexpr int kStripZeros = -1;

// "2024-03-05" for days since the epoch; years outside 0..9999 as Java
// prints them ("+10000-01-01", "-0001-01-01").
TextBuf IsoDate(int64_t days);
// "HH:MM:SS[.ffffff]" for a signed count of microseconds; hours may exceed 23
// and the text starts with '-' when negative (MySQL TIME).
TextBuf ClockTime(int64_t micros, int fraction_digits);
// "YYYY-MM-DDTHH:MM:SS[.ffffff]" for microseconds since the epoch (UTC).
TextBuf IsoTimestamp(int64_t micros, int fraction_digits);

// ---- Intervals ----

// Interval as microseconds, counting a month as 365.25 / 12 days (Debezium's
// MicroDuration.DAYS_PER_MONTH_AVG); exact, saturating at the int64 limits.
int64_t IntervalMicros(const Interval& iv);
// Debezium's Interval.toIsoString shape, every component present:
// "P1Y2M3DT4H5M6.5S". Months split into years; the time part into hours,
// minutes and seconds, each carrying the sign of the micros.
TextBuf IsoInterval(const Interval& iv);

}  // namespace cdc::format
