#include "sources/postgres/pg_type_parser.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <vector>

#include "cdc/error.h"

namespace cdc::pg {
namespace {

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMicrosPerDay = 86400 * kMicrosPerSecond;

[[noreturn]] void Bad(PgKind kind, std::string_view text, std::string_view why = {}) {
  std::string msg = "cannot parse PostgreSQL ";
  msg += PgKindName(kind);
  msg += " value '";
  msg += text.substr(0, 200);
  msg += text.size() > 200 ? "...'" : "'";
  if (!why.empty()) msg += ": " + std::string(why);
  throw Error(msg);
}

// A cursor over the text with the small lexing steps the date/time forms need.
struct Cursor {
  std::string_view s;
  size_t pos = 0;

  bool at_end() const { return pos == s.size(); }
  char peek() const { return at_end() ? '\0' : s[pos]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++pos;
    return true;
  }
  bool eat(std::string_view word) {
    if (s.substr(pos, word.size()) != word) return false;
    pos += word.size();
    return true;
  }
  // Unsigned decimal digits; at least `min_digits` of them.
  bool digits(int64_t& out, size_t min_digits = 1) {
    size_t start = pos;
    int64_t v = 0;
    while (!at_end() && s[pos] >= '0' && s[pos] <= '9') {
      if (v > (std::numeric_limits<int64_t>::max() - 9) / 10) return false;
      v = v * 10 + (s[pos] - '0');
      ++pos;
    }
    out = v;
    return pos - start >= min_digits;
  }
  // ".ffffff" after seconds -> microseconds (PostgreSQL never prints more
  // than 6 fraction digits; more would be rejected, not rounded).
  bool fraction(int64_t& micros) {
    micros = 0;
    if (!eat('.')) return true;
    size_t start = pos, n = 0;
    while (!at_end() && s[pos] >= '0' && s[pos] <= '9') {
      if (++n > 6) return false;
      micros = micros * 10 + (s[pos] - '0');
      ++pos;
    }
    if (pos == start) return false;
    for (; n < 6; ++n) micros *= 10;
    return true;
  }
};

// "HH:MM:SS[.ffffff]" -> microseconds since midnight (24:00:00 allowed).
bool ParseClock(Cursor& c, int64_t& micros) {
  int64_t h, m, s, frac;
  if (!c.digits(h, 2) || !c.eat(':') || !c.digits(m, 2) || !c.eat(':') || !c.digits(s, 2) ||
      !c.fraction(frac) || m > 59 || s > 60) {
    return false;
  }
  micros = ((h * 60 + m) * 60 + s) * kMicrosPerSecond + frac;
  return true;
}

// "+HH[:MM[:SS]]" / "-HH..." -> seconds east of UTC.
bool ParseUtcOffset(Cursor& c, int32_t& seconds) {
  int sign;
  if (c.eat('+')) {
    sign = 1;
  } else if (c.eat('-')) {
    sign = -1;
  } else {
    return false;
  }
  int64_t h, m = 0, s = 0;
  if (!c.digits(h, 2)) return false;
  if (c.eat(':') && !c.digits(m, 2)) return false;
  if (c.eat(':') && !c.digits(s, 2)) return false;
  seconds = static_cast<int32_t>(sign * (h * 3600 + m * 60 + s));
  return true;
}

// "YYYY-MM-DD" (4+ digit year) -> year, month, day; " BC" is handled by callers.
bool ParseYmd(Cursor& c, int64_t& y, int64_t& m, int64_t& d) {
  return c.digits(y, 4) && c.eat('-') && c.digits(m, 2) && c.eat('-') && c.digits(d, 2) && m >= 1 &&
         m <= 12 && d >= 1 && d <= 31;
}

// Days of "YYYY-MM-DD[ BC]" with the BC suffix already detected.
int64_t Days(int64_t y, int64_t m, int64_t d, bool bc) {
  // Year 1 BC is astronomical year 0.
  return DaysFromCivil(bc ? 1 - y : y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

bool EndsWithBc(std::string_view& text) {
  constexpr std::string_view kBc = " BC";
  if (text.size() > kBc.size() && text.substr(text.size() - kBc.size()) == kBc) {
    text.remove_suffix(kBc.size());
    return true;
  }
  return false;
}

Value ParseDate(std::string_view text) {
  if (text == "infinity") return Date{std::numeric_limits<int32_t>::max()};
  if (text == "-infinity") return Date{std::numeric_limits<int32_t>::min()};
  std::string_view body = text;
  bool bc = EndsWithBc(body);
  Cursor c{body};
  int64_t y, m, d;
  if (!ParseYmd(c, y, m, d) || !c.at_end()) Bad(PgKind::kDate, text);
  return Date{static_cast<int32_t>(Days(y, m, d, bc))};
}

Value ParseTimestamp(std::string_view text, bool with_tz) {
  PgKind kind = with_tz ? PgKind::kTimestampTz : PgKind::kTimestamp;
  if (text == "infinity") {
    return with_tz ? Value(TimestampTz{kInfinityMicros}) : Value(Timestamp{kInfinityMicros});
  }
  if (text == "-infinity") {
    return with_tz ? Value(TimestampTz{kMinusInfinityMicros})
                   : Value(Timestamp{kMinusInfinityMicros});
  }
  std::string_view body = text;
  bool bc = EndsWithBc(body);
  Cursor c{body};
  int64_t y, m, d, clock;
  int32_t offset = 0;
  if (!ParseYmd(c, y, m, d) || !c.eat(' ') || !ParseClock(c, clock)) Bad(kind, text);
  if (with_tz && !ParseUtcOffset(c, offset)) Bad(kind, text, "no UTC offset");
  if (!c.at_end()) Bad(kind, text);
  // PostgreSQL's timestamps reach 294276 AD, but µs since 1970 end in
  // 294247: later values are clamped to the last representable microsecond
  // (one short of the infinity sentinel) rather than wrapping around.
  int64_t micros = 0;
  if (__builtin_mul_overflow(Days(y, m, d, bc), kMicrosPerDay, &micros) ||
      __builtin_add_overflow(micros, clock - int64_t{offset} * kMicrosPerSecond, &micros)) {
    micros = kInfinityMicros - 1;
  }
  return with_tz ? Value(TimestampTz{micros}) : Value(Timestamp{micros});
}

// ISO 8601 interval as IntervalStyle iso_8601 prints it: "P1Y2M3DT4H5M6.5S",
// each field optionally signed, "PT0S" for zero.
Value ParseInterval(std::string_view text) {
  Cursor c{text};
  if (!c.eat('P')) Bad(PgKind::kInterval, text);
  Interval out;
  bool in_time = false;
  int64_t months = 0, days = 0, micros = 0;
  while (!c.at_end()) {
    if (!in_time && c.eat('T')) {
      in_time = true;
      continue;
    }
    bool negative = c.eat('-');
    int64_t n, frac = 0;
    if (!c.digits(n)) Bad(PgKind::kInterval, text);
    char unit = c.peek();
    if (unit == '.' || unit == 'S') {
      if (!in_time || !c.fraction(frac) || !c.eat('S')) Bad(PgKind::kInterval, text);
      int64_t v = n * kMicrosPerSecond + frac;
      micros += negative ? -v : v;
      continue;
    }
    ++c.pos;
    int64_t v = negative ? -n : n;
    if (!in_time && unit == 'Y') {
      months += v * 12;
    } else if (!in_time && unit == 'M') {
      months += v;
    } else if (!in_time && unit == 'W') {
      days += v * 7;
    } else if (!in_time && unit == 'D') {
      days += v;
    } else if (in_time && unit == 'H') {
      micros += v * 3600 * kMicrosPerSecond;
    } else if (in_time && unit == 'M') {
      micros += v * 60 * kMicrosPerSecond;
    } else {
      Bad(PgKind::kInterval, text, "unexpected unit");
    }
  }
  if (months < INT32_MIN || months > INT32_MAX || days < INT32_MIN || days > INT32_MAX) {
    Bad(PgKind::kInterval, text, "out of range");
  }
  out.months = static_cast<int32_t>(months);
  out.days = static_cast<int32_t>(days);
  out.micros = micros;
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Value ParseBytea(std::string_view text) {
  std::string out;
  if (text.substr(0, 2) == "\\x") {  // bytea_output = hex
    if (text.size() % 2 != 0) Bad(PgKind::kBytea, text, "odd number of hex digits");
    out.reserve((text.size() - 2) / 2);
    for (size_t i = 2; i < text.size(); i += 2) {
      int hi = HexDigit(text[i]), lo = HexDigit(text[i + 1]);
      if (hi < 0 || lo < 0) Bad(PgKind::kBytea, text, "not a hex digit");
      out.push_back(static_cast<char>(hi << 4 | lo));
    }
    return Bytes{std::move(out)};
  }
  // bytea_output = escape: "\\" is a backslash, "\ooo" an octal byte.
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out.push_back(text[i]);
    } else if (i + 1 < text.size() && text[i + 1] == '\\') {
      out.push_back('\\');
      ++i;
    } else if (i + 3 < text.size() && text[i + 1] >= '0' && text[i + 1] <= '3') {
      int v = 0;
      for (int k = 1; k <= 3; ++k) {
        char d = text[i + k];
        if (d < '0' || d > '7') Bad(PgKind::kBytea, text, "bad octal escape");
        v = v * 8 + (d - '0');
      }
      out.push_back(static_cast<char>(v));
      i += 3;
    } else {
      Bad(PgKind::kBytea, text, "bad escape");
    }
  }
  return Bytes{std::move(out)};
}

// Debezium's io.debezium.data.Bits for PostgreSQL: the bit string read as a
// binary number (last character = least significant bit), little-endian bytes,
// as many as the highest set bit needs (Debezium sizes them by the value, not
// the column, as java.util.BitSet does: all zeros are no bytes at all).
Value ParseBits(std::string_view text) {
  std::string out((text.size() + 7) / 8, '\0');
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[text.size() - 1 - i];
    if (c == '1') {
      out[i / 8] = static_cast<char>(out[i / 8] | (1 << (i % 8)));
    } else if (c != '0') {
      Bad(PgKind::kBits, text);
    }
  }
  while (!out.empty() && out.back() == '\0') out.pop_back();
  return Bytes{std::move(out)};
}

template <typename F>
Value ParseFloat(PgKind kind, std::string_view text) {
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (text == "Infinity") return std::numeric_limits<double>::infinity();
  if (text == "-Infinity") return -std::numeric_limits<double>::infinity();
  F v{};
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) Bad(kind, text);
  return static_cast<double>(v);
}

Value ParseMoney(std::string_view text) {
  // lc_monetary C: "$1,234.56", "-$1,234.56". Other locales may use other
  // symbols; any character other than digits, '.', '-' and '(' ')' (negative
  // in some locales) is a currency symbol or group separator.
  std::string out;
  bool negative = false;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      out.push_back(c);
    } else if (c == '.') {
      out.push_back(c);
    } else if (c == '-' || c == '(') {
      negative = true;
    }
  }
  if (out.empty() || out.front() == '.') Bad(PgKind::kMoney, text);
  return Decimal{(negative ? "-" : "") + out};
}

Value ParseInt(std::string_view text) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) Bad(PgKind::kInt, text);
  return v;
}

// Array literal parser (array_out's form): nested braces, elements separated
// by `delim`, NULL unquoted, quoted elements with backslash escapes.
class ArrayParser {
 public:
  ArrayParser(PgKind element, char delim, std::string_view text)
      : element_(element), delim_(delim), text_(text) {}

  Value parse() {
    Cursor c{text_};
    if (c.peek() == '[') {  // "[lo:hi][lo:hi]={...}": dimensions with non-default bounds
      size_t eq = text_.find('=');
      if (eq == std::string_view::npos) fail("dimension decoration without '='");
      c.pos = eq + 1;
    }
    Value v = level(c);
    if (!c.at_end()) fail("trailing characters");
    return v;
  }

 private:
  [[noreturn]] void fail(std::string_view why) const {
    throw Error("cannot parse PostgreSQL array of " + std::string(PgKindName(element_)) + " '" +
                std::string(text_.substr(0, 200)) + "': " + std::string(why));
  }

  Value level(Cursor& c) {
    if (!c.eat('{')) fail("expected '{'");
    std::vector<Value> items;
    if (c.eat('}')) return Value::ArrayOf(std::move(items));
    while (true) {
      if (c.peek() == '{') {
        items.push_back(level(c));
      } else {
        items.push_back(element(c));
      }
      if (c.eat('}')) break;
      if (!c.eat(delim_)) fail("expected a delimiter or '}'");
    }
    return Value::ArrayOf(std::move(items));
  }

  Value element(Cursor& c) {
    std::string buf;
    if (c.eat('"')) {
      while (true) {
        if (c.at_end()) fail("unterminated quoted element");
        char ch = c.s[c.pos++];
        if (ch == '"') break;
        if (ch == '\\') {
          if (c.at_end()) fail("dangling backslash");
          ch = c.s[c.pos++];
        }
        buf.push_back(ch);
      }
      return ParsePgText(element_, buf);
    }
    size_t start = c.pos;
    while (!c.at_end() && c.peek() != delim_ && c.peek() != '}') {
      if (c.peek() == '\\') {
        ++c.pos;
        if (c.at_end()) fail("dangling backslash");
      }
      buf.push_back(c.s[c.pos++]);
    }
    if (c.pos == start) fail("empty element");
    std::string_view raw = c.s.substr(start, c.pos - start);
    if (raw.size() == 4 && (raw == "NULL" || raw == "null" || raw == "Null")) return Value::Null();
    return ParsePgText(element_, buf);
  }

  PgKind element_;
  char delim_;
  std::string_view text_;
};

}  // namespace

const char* PgKindName(PgKind kind) {
  switch (kind) {
    case PgKind::kBool:
      return "boolean";
    case PgKind::kInt:
      return "integer";
    case PgKind::kFloat4:
      return "real";
    case PgKind::kFloat8:
      return "double precision";
    case PgKind::kNumeric:
      return "numeric";
    case PgKind::kMoney:
      return "money";
    case PgKind::kText:
      return "text";
    case PgKind::kBytea:
      return "bytea";
    case PgKind::kUuid:
      return "uuid";
    case PgKind::kJson:
      return "json";
    case PgKind::kDate:
      return "date";
    case PgKind::kTime:
      return "time";
    case PgKind::kTimeTz:
      return "timetz";
    case PgKind::kTimestamp:
      return "timestamp";
    case PgKind::kTimestampTz:
      return "timestamptz";
    case PgKind::kInterval:
      return "interval";
    case PgKind::kBits:
      return "bit string";
  }
  return "?";
}

Value ParsePgText(PgKind kind, std::string_view text) {
  switch (kind) {
    case PgKind::kBool:
      if (text == "t") return true;
      if (text == "f") return false;
      Bad(kind, text);
    case PgKind::kInt:
      return ParseInt(text);
    case PgKind::kFloat4:
      return ParseFloat<float>(kind, text);
    case PgKind::kFloat8:
      return ParseFloat<double>(kind, text);
    case PgKind::kNumeric:
      return Decimal{std::string(text)};
    case PgKind::kMoney:
      return ParseMoney(text);
    case PgKind::kText:
      return std::string(text);
    case PgKind::kBytea:
      return ParseBytea(text);
    case PgKind::kUuid:
      return Uuid{std::string(text)};
    case PgKind::kJson:
      return Json{std::string(text)};
    case PgKind::kDate:
      return ParseDate(text);
    case PgKind::kTime: {
      Cursor c{text};
      int64_t micros;
      if (!ParseClock(c, micros) || !c.at_end()) Bad(kind, text);
      return Time{micros};
    }
    case PgKind::kTimeTz: {
      Cursor c{text};
      TimeTz t;
      if (!ParseClock(c, t.micros) || !ParseUtcOffset(c, t.offset_seconds) || !c.at_end()) {
        Bad(kind, text);
      }
      return t;
    }
    case PgKind::kTimestamp:
      return ParseTimestamp(text, false);
    case PgKind::kTimestampTz:
      return ParseTimestamp(text, true);
    case PgKind::kInterval:
      return ParseInterval(text);
    case PgKind::kBits:
      return ParseBits(text);
  }
  Bad(kind, text, "unknown kind");
}

Value ParsePgArray(PgKind element, char delimiter, std::string_view text) {
  return ArrayParser(element, delimiter, text).parse();
}

}  // namespace cdc::pg
