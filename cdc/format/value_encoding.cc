#include "cdc/format/value_encoding.h"

#include <algorithm>
#include <charconv>
#include <vector>

#include "cdc/civil_date.h"

namespace cdc::format {

void TextBuf::append(std::string_view s) {
  size_t n = std::min(s.size(), sizeof data - size);  // never overflows; callers size for it
  std::copy_n(s.data(), n, data + size);
  size += n;
}

void TextBuf::append_padded(uint64_t v, int width) {
  char digits[24];
  auto res = std::to_chars(digits, digits + sizeof digits, v);
  int len = static_cast<int>(res.ptr - digits);
  for (int i = len; i < width; ++i) append('0');
  append(std::string_view(digits, len));
}

// ---- Decimals ----

std::optional<ParsedDecimal> ParseDecimal(std::string_view text) {
  ParsedDecimal d;
  if (text == "NaN") {
    d.kind = ParsedDecimal::Kind::kNaN;
    return d;
  }
  if (text == "Infinity" || text == "+Infinity") {
    d.kind = ParsedDecimal::Kind::kPositiveInfinity;
    return d;
  }
  if (text == "-Infinity") {
    d.kind = ParsedDecimal::Kind::kNegativeInfinity;
    return d;
  }
  size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) d.negative = text[i++] == '-';
  bool point = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.' && !point) {
      point = true;
    } else if (c >= '0' && c <= '9') {
      d.digits += c;
      if (point) ++d.scale;
    } else {
      return std::nullopt;
    }
  }
  if (d.digits.empty()) return std::nullopt;
  return d;
}

std::optional<std::string> UnscaledBytes(const ParsedDecimal& d, int32_t scale) {
  if (d.kind != ParsedDecimal::Kind::kFinite) return std::nullopt;
  if (scale >= d.scale) {
    std::string digits = d.digits;
    digits.append(static_cast<size_t>(scale - d.scale), '0');
    return TwosComplement(d.negative, digits);
  }
  size_t drop = static_cast<size_t>(d.scale - scale);
  size_t keep = d.digits.size() > drop ? d.digits.size() - drop : 0;
  if (d.digits.find_first_not_of('0', keep) != std::string::npos) return std::nullopt;
  return TwosComplement(d.negative, std::string_view(d.digits).substr(0, keep));
}

std::string PlainString(const ParsedDecimal& d) {
  switch (d.kind) {
    case ParsedDecimal::Kind::kNaN:
      return "NaN";
    case ParsedDecimal::Kind::kPositiveInfinity:
      return "Infinity";
    case ParsedDecimal::Kind::kNegativeInfinity:
      return "-Infinity";
    case ParsedDecimal::Kind::kFinite:
      break;
  }
  size_t int_len = d.digits.size() - static_cast<size_t>(d.scale);
  size_t first = d.digits.find_first_not_of('0');
  std::string out;
  if (d.negative && first != std::string::npos) out += '-';
  size_t lead = std::min(first, int_len);  // leading zeros of the integer part
  out.append(d.digits, lead, int_len - lead);
  if (lead == int_len) out += '0';
  if (d.scale > 0) {
    out += '.';
    out.append(d.digits, int_len, std::string::npos);
  }
  return out;
}

namespace {

// Magnitude of a decimal digit string as little-endian base-2^32 limbs.
std::vector<uint32_t> DigitsToLimbs(std::string_view digits) {
  std::vector<uint32_t> limbs;
  size_t i = 0;
  while (i < digits.size()) {
    // Up to nine digits at a time: 10^9 < 2^32.
    size_t n = std::min<size_t>(9, digits.size() - i);
    uint32_t chunk = 0, mul = 1;
    for (size_t k = 0; k < n; ++k, ++i) {
      chunk = chunk * 10 + static_cast<uint32_t>(digits[i] - '0');
      mul *= 10;
    }
    uint64_t carry = chunk;
    for (uint32_t& limb : limbs) {
      uint64_t v = uint64_t{limb} * mul + carry;
      limb = static_cast<uint32_t>(v);
      carry = v >> 32;
    }
    if (carry) limbs.push_back(static_cast<uint32_t>(carry));
  }
  return limbs;
}

// Big-endian bytes of the limbs without leading zero bytes (empty for zero).
std::string LimbsToBytes(const std::vector<uint32_t>& limbs) {
  std::string bytes;
  for (size_t i = limbs.size(); i-- > 0;) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      char b = static_cast<char>((limbs[i] >> shift) & 0xFF);
      if (bytes.empty() && b == 0) continue;
      bytes += b;
    }
  }
  return bytes;
}

}  // namespace

std::string TwosComplement(bool negative, std::string_view digits) {
  std::string mag = LimbsToBytes(DigitsToLimbs(digits));
  if (mag.empty()) return std::string(1, '\0');  // zero, also "-0"
  bool top_bit = static_cast<unsigned char>(mag[0]) & 0x80;
  if (!negative) {
    // A leading 1 bit would read as negative: add a sign byte.
    return top_bit ? std::string(1, '\0') + mag : mag;
  }
  // 2^(8n) - mag over the same n bytes: invert, then add one.
  for (char& b : mag) b = static_cast<char>(~b);
  for (size_t i = mag.size(); i-- > 0;) {
    unsigned char v = static_cast<unsigned char>(mag[i]) + 1;
    mag[i] = static_cast<char>(v);
    if (v != 0) break;
  }
  // The result is minimal because mag had no leading zero byte; it only
  // needs a sign byte when its top bit came out clear.
  bool negative_bit = static_cast<unsigned char>(mag[0]) & 0x80;
  return negative_bit ? mag : std::string(1, '\xFF') + mag;
}

// ---- Bytes ----

char* EncodeBase64(std::string_view bytes, char* out) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[k])); };
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    *out++ = kAlphabet[v >> 18];
    *out++ = kAlphabet[(v >> 12) & 63];
    *out++ = kAlphabet[(v >> 6) & 63];
    *out++ = kAlphabet[v & 63];
  }
  size_t rest = bytes.size() - i;
  if (rest == 0) return out;
  uint32_t v = byte(i) << 16 | (rest == 2 ? byte(i + 1) << 8 : 0);
  *out++ = kAlphabet[v >> 18];
  *out++ = kAlphabet[(v >> 12) & 63];
  *out++ = rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
  *out++ = '=';
  return out;
}

std::string Base64(std::string_view bytes) {
  std::string out(Base64Length(bytes.size()), '\0');
  EncodeBase64(bytes, out.data());
  return out;
}

// ---- Calendar ----

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int64_t FloorMod(int64_t a, int64_t b) {
  return a - FloorDiv(a, b) * b;
}

namespace {

void AppendDate(TextBuf& t, int64_t days) {
  const CivilDate c = CivilFromDays(days);
  // Java's ISO_LOCAL_DATE: four digits at least, '+' beyond 9999.
  if (c.year > 9999) t.append('+');
  if (c.year < 0) t.append('-');
  t.append_padded(static_cast<uint64_t>(c.year < 0 ? -c.year : c.year), 4);
  t.append('-');
  t.append_padded(c.month, 2);
  t.append('-');
  t.append_padded(c.day, 2);
}

void AppendFraction(TextBuf& t, uint64_t micros, int digits) {
  if (digits == kStripZeros) {
    if (micros == 0) return;
    digits = 6;
    while (micros % 10 == 0) {
      micros /= 10;
      --digits;
    }
  } else {
    digits = std::clamp(digits, 0, 6);
    for (int i = digits; i < 6; ++i) micros /= 10;
    if (digits == 0) return;
  }
  t.append('.');
  t.append_padded(micros, digits);
}

void AppendClock(TextBuf& t, uint64_t micros, int fraction_digits) {
  uint64_t secs = micros / kMicrosPerSecond;
  t.append_padded(secs / 3600, 2);
  t.append(':');
  t.append_padded(secs / 60 % 60, 2);
  t.append(':');
  t.append_padded(secs % 60, 2);
  AppendFraction(t, micros % kMicrosPerSecond, fraction_digits);
}

}  // namespace

TextBuf IsoDate(int64_t days) {
  TextBuf t;
  // Integer encodings carry the sentinels as they are; text says what they mean.
  if (days == kInfinityDays || days == kMinusInfinityDays) {
    t.append(days > 0 ? "infinity" : "-infinity");
    return t;
  }
  AppendDate(t, days);
  return t;
}

TextBuf ClockTime(int64_t micros, int fraction_digits) {
  TextBuf t;
  if (micros < 0) t.append('-');
  uint64_t abs =
      micros < 0 ? uint64_t{0} - static_cast<uint64_t>(micros) : static_cast<uint64_t>(micros);
  AppendClock(t, abs, fraction_digits);
  return t;
}

TextBuf IsoTimestamp(int64_t micros, int fraction_digits) {
  TextBuf t;
  AppendDate(t, FloorDiv(micros, kMicrosPerDay));
  t.append('T');
  AppendClock(t, static_cast<uint64_t>(FloorMod(micros, kMicrosPerDay)), fraction_digits);
  return t;
}

// ---- Intervals ----

int64_t IntervalMicros(const Interval& iv) {
  // 365.25 / 12 days = 30.4375 days = 2'629'800 s exactly, so no rounding.
  constexpr __int128 kMicrosPerMonth = __int128{2'629'800} * kMicrosPerSecond;
  __int128 total = iv.months * kMicrosPerMonth + __int128{iv.days} * kMicrosPerDay + iv.micros;
  if (total > INT64_MAX) return INT64_MAX;
  if (total < INT64_MIN) return INT64_MIN;
  return static_cast<int64_t>(total);
}

namespace {

void AppendSigned(TextBuf& t, int64_t v) {
  if (v < 0) t.append('-');
  t.append_padded(v < 0 ? uint64_t{0} - static_cast<uint64_t>(v) : static_cast<uint64_t>(v), 1);
}

}  // namespace

TextBuf IsoInterval(const Interval& iv) {
  constexpr int64_t kMicrosPerHour = 3600 * kMicrosPerSecond;
  constexpr int64_t kMicrosPerMinute = 60 * kMicrosPerSecond;
  TextBuf t;
  t.append('P');
  AppendSigned(t, iv.months / 12);
  t.append('Y');
  AppendSigned(t, iv.months % 12);
  t.append('M');
  AppendSigned(t, iv.days);
  t.append("DT");
  AppendSigned(t, iv.micros / kMicrosPerHour);
  t.append('H');
  AppendSigned(t, iv.micros % kMicrosPerHour / kMicrosPerMinute);
  t.append('M');
  int64_t sec_micros = iv.micros % kMicrosPerMinute;
  if (sec_micros < 0) t.append('-');
  uint64_t abs = static_cast<uint64_t>(sec_micros < 0 ? -sec_micros : sec_micros);
  t.append_padded(abs / kMicrosPerSecond, 1);
  AppendFraction(t, abs % kMicrosPerSecond, kStripZeros);
  t.append('S');
  return t;
}

}  // namespace cdc::format
