#include "cdc/timestamp.h"

#include <cstdio>

#include "cdc/civil_date.h"

namespace cdc {
namespace {

bool IsLeap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `n` digits at `pos`.
bool Digits(std::string_view s, size_t& pos, size_t n, int64_t& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  pos += n;
  return true;
}

bool Epoch(std::string_view s, int64_t& us) {
  if (s.empty() || s.size() > 16) return false;
  int64_t ms = 0;
  size_t pos = 0;
  if (!Digits(s, pos, s.size(), ms)) return false;
  us = ms * 1000;
  return true;
}

// "Z", "+HH:MM", "+HHMM", "+HH" or "-..." to seconds east of UTC.
bool Zone(std::string_view s, size_t& pos, int64_t& offset_s) {
  offset_s = 0;
  if (pos == s.size()) return true;
  if (s[pos] == 'Z' || s[pos] == 'z') return ++pos == s.size();
  if (s[pos] != '+' && s[pos] != '-') return false;
  const int sign = s[pos++] == '-' ? -1 : 1;
  int64_t hh = 0, mm = 0;
  if (!Digits(s, pos, 2, hh)) return false;
  if (pos < s.size() && s[pos] == ':') ++pos;
  if (pos < s.size() && !Digits(s, pos, 2, mm)) return false;
  if (hh > 23 || mm > 59) return false;
  offset_s = sign * (hh * 3600 + mm * 60);
  return pos == s.size();
}

}  // namespace

std::optional<int64_t> ParseTimestampMicros(std::string_view s) {
  int64_t us = 0;
  if (Epoch(s, us)) return us;
  size_t pos = 0;
  int64_t y, mo, d, h = 0, mi = 0, sec = 0, frac_us = 0, offset = 0;
  if (!Digits(s, pos, 4, y) || pos >= s.size() || s[pos++] != '-' || !Digits(s, pos, 2, mo) ||
      pos >= s.size() || s[pos++] != '-' || !Digits(s, pos, 2, d)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, static_cast<unsigned>(mo))) {
    return std::nullopt;
  }
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return std::nullopt;
    ++pos;
    if (!Digits(s, pos, 2, h) || pos >= s.size() || s[pos++] != ':' || !Digits(s, pos, 2, mi)) {
      return std::nullopt;
    }
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      if (!Digits(s, pos, 2, sec)) return std::nullopt;
      if (pos < s.size() && s[pos] == '.') {
        ++pos;
        size_t n = 0;
        int64_t scale = 100000;
        for (; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos, ++n) {
          if (n >= 9) return std::nullopt;
          if (n < 6) {
            frac_us += (s[pos] - '0') * scale;
            scale /= 10;
          } else if (s[pos] != '0') {
            return std::nullopt;  // finer than the microseconds events carry
          }
        }
        if (n == 0) return std::nullopt;
      }
    }
    if (h > 23 || mi > 59 || sec > 59) return std::nullopt;
    if (!Zone(s, pos, offset)) return std::nullopt;
  }
  const int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return ((days * 86400 + h * 3600 + mi * 60 + sec) - offset) * 1000000 + frac_us;
}

std::string FormatTimestampMicros(int64_t us) {
  int64_t secs = us >= 0 ? us / 1000000 : (us - 999999) / 1000000;
  const int64_t frac = us - secs * 1000000;
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  const int64_t rem = secs - days * 86400;
  const CivilDate c = CivilFromDays(days);
  const int64_t y = c.year;
  const unsigned m = c.month, d = c.day;
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld",
                        static_cast<long long>(y), m, d, static_cast<long long>(rem / 3600),
                        static_cast<long long>(rem / 60 % 60), static_cast<long long>(rem % 60));
  if (frac) std::snprintf(buf + n, sizeof buf - n, ".%06lld", static_cast<long long>(frac));
  return std::string(buf) + "Z";
}

}  // namespace cdc
