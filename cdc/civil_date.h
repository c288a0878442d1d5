// Proleptic Gregorian dates and day counts since 1970-01-01 (Howard
// Hinnant's days_from_civil / civil_from_days), valid for the whole
// calendar: the one conversion every decoder and format uses.
#pragma once

#include <cstdint>

namespace cdc {

struct CivilDate {
  int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);
CivilDate CivilFromDays(int64_t days);

}  // namespace cdc
