#include "sources/mysql/mysql_temporal.h"

#include <cstdio>

#include "cdc/civil_date.h"
#include "cdc/error.h"

namespace cdc::mysql {

namespace {

constexpr int64_t kDateTimeIntOffset = 0x8000000000LL;  // DATETIMEF_INT_OFS
constexpr int64_t kTimeIntOffset = 0x800000LL;          // TIMEF_INT_OFS
constexpr int64_t kTimeOffset = 0x800000000000LL;       // TIMEF_OFS

int64_t ReadBe(std::string_view b, size_t from, size_t n) {
  int64_t v = 0;
  for (size_t i = from; i < from + n; ++i) v = (v << 8) | static_cast<uint8_t>(b[i]);
  return v;
}

// Sign-extends an n-byte big-endian value.
int64_t ReadBeSigned(std::string_view b, size_t from, size_t n) {
  int64_t v = ReadBe(b, from, n);
  int64_t sign = int64_t{1} << (n * 8 - 1);
  return (v ^ sign) - sign;
}

void CheckSize(std::string_view b, size_t n, const char* what) {
  if (b.size() != n) throw Error(std::string("bad ") + what + " length");
}

}  // namespace

int64_t DateTime2ToPacked(std::string_view b, int fsp) {
  CheckSize(b, 5 + FractionBytes(fsp), "DATETIME2");
  int64_t intpart = ReadBe(b, 0, 5) - kDateTimeIntOffset;
  int64_t frac = 0;
  switch (fsp) {
    case 1:
    case 2:
      frac = ReadBeSigned(b, 5, 1) * 10000;
      break;
    case 3:
    case 4:
      frac = ReadBeSigned(b, 5, 2) * 100;
      break;
    case 5:
    case 6:
      frac = ReadBeSigned(b, 5, 3);
      break;
    default:
      break;
  }
  return (intpart << 24) + frac;
}

int64_t Time2ToPacked(std::string_view b, int fsp) {
  CheckSize(b, 3 + FractionBytes(fsp), "TIME2");
  switch (fsp) {
    case 1:
    case 2:
    case 3:
    case 4: {
      int64_t intpart = ReadBe(b, 0, 3) - kTimeIntOffset;
      bool one = fsp <= 2;
      int64_t frac = ReadBe(b, 3, one ? 1 : 2);
      // A negative value stores its fraction as a complement that borrows
      // one second from the integer part (my_time_packed_from_binary).
      if (intpart < 0 && frac != 0) {
        intpart++;
        frac -= one ? 0x100 : 0x10000;
      }
      return (intpart << 24) + frac * (one ? 10000 : 100);
    }
    case 5:
    case 6:
      return ReadBe(b, 0, 6) - kTimeOffset;
    default:
      return (ReadBe(b, 0, 3) - kTimeIntOffset) << 24;
  }
}

DateTimeParts UnpackDateTime(int64_t packed) {
  // The magnitude, unsigned: -INT64_MIN does not fit an int64_t.
  const uint64_t m = packed < 0 ? 0 - static_cast<uint64_t>(packed) : static_cast<uint64_t>(packed);
  DateTimeParts p;
  p.micros = static_cast<int>(m % (1 << 24));
  const uint64_t intpart = m >> 24;
  const uint64_t ymd = intpart >> 17, hms = intpart % (1 << 17);
  const uint64_t ym = ymd >> 5;
  p.day = static_cast<int>(ymd % 32);
  p.month = static_cast<int>(ym % 13);
  p.year = static_cast<int>(ym / 13);
  p.second = static_cast<int>(hms % 64);
  p.minute = static_cast<int>((hms >> 6) % 64);
  p.hour = static_cast<int>(hms >> 12);
  return p;
}

int64_t PackedTimeToMicros(int64_t packed) {
  bool negative = packed < 0;
  if (negative) packed = -packed;
  int64_t hms = packed >> 24;
  int64_t micros = packed % (1 << 24);
  int64_t hour = (hms >> 12) % (1 << 10), minute = (hms >> 6) % 64, second = hms % 64;
  int64_t total = ((hour * 60 + minute) * 60 + second) * 1000000 + micros;
  return negative ? -total : total;
}

int32_t DaysFromCivil(int y, int m, int d) {
  return static_cast<int32_t>(
      cdc::DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)));
}

std::string FormatDate(const DateTimeParts& p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", p.year, p.month, p.day);
  return buf;
}

std::string FormatDateTime(const DateTimeParts& p, int fsp) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", p.year, p.month, p.day, p.hour,
                p.minute, p.second);
  std::string out = buf;
  if (fsp > 0) {
    std::snprintf(buf, sizeof buf, ".%06d", p.micros);
    out += std::string(buf).substr(0, 1 + fsp);
  }
  return out;
}

std::string FormatTime(int64_t micros, int fsp) {
  bool negative = micros < 0;
  uint64_t m = negative ? static_cast<uint64_t>(-(micros + 1)) + 1 : static_cast<uint64_t>(micros);
  uint64_t secs = m / 1000000;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s%02llu:%02llu:%02llu", negative ? "-" : "",
                static_cast<unsigned long long>(secs / 3600),
                static_cast<unsigned long long>(secs / 60 % 60),
                static_cast<unsigned long long>(secs % 60));
  std::string out = buf;
  if (fsp > 0) {
    std::snprintf(buf, sizeof buf, ".%06llu", static_cast<unsigned long long>(m % 1000000));
    out += std::string(buf).substr(0, 1 + fsp);
  }
  return out;
}

}  // namespace cdc::mysql
