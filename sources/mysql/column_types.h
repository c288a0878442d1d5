// MySQL column type codes as they appear in TABLE_MAP events
// (enum_field_types in mysql_com.h / field_types.h).
#pragma once

#include <cstdint>

namespace cdc::mysql {

enum ColumnTypeCode : uint8_t {
  kTypeDecimal = 0,
  kTypeTiny = 1,
  kTypeShort = 2,
  kTypeLong = 3,
  kTypeFloat = 4,
  kTypeDouble = 5,
  kTypeNull = 6,
  kTypeTimestamp = 7,
  kTypeLongLong = 8,
  kTypeInt24 = 9,
  kTypeDate = 10,
  kTypeTime = 11,
  kTypeDateTime = 12,
  kTypeYear = 13,
  kTypeNewDate = 14,
  kTypeVarchar = 15,
  kTypeBit = 16,
  kTypeTimestamp2 = 17,
  kTypeDateTime2 = 18,
  kTypeTime2 = 19,
  kTypeTypedArray = 20,
  kTypeVector = 242,
  kTypeJson = 245,
  kTypeNewDecimal = 246,
  kTypeEnum = 247,
  kTypeSet = 248,
  kTypeTinyBlob = 249,
  kTypeMediumBlob = 250,
  kTypeLongBlob = 251,
  kTypeBlob = 252,
  kTypeVarString = 253,
  kTypeString = 254,
  kTypeGeometry = 255,
};

// Numeric columns carry a bit in the SIGNEDNESS optional metadata.
inline bool IsNumericType(uint8_t t) {
  switch (t) {
    case kTypeTiny:
    case kTypeShort:
    case kTypeInt24:
    case kTypeLong:
    case kTypeLongLong:
    case kTypeFloat:
    case kTypeDouble:
    case kTypeNewDecimal:
    case kTypeDecimal:
      return true;
    default:
      return false;
  }
}

// Character columns (by REAL type) carry a collation in the charset metadata.
inline bool IsCharacterType(uint8_t real_type) {
  switch (real_type) {
    case kTypeString:
    case kTypeVarString:
    case kTypeVarchar:
    case kTypeBlob:
    case kTypeTinyBlob:
    case kTypeMediumBlob:
    case kTypeLongBlob:
      return true;
    default:
      return false;
  }
}

}  // namespace cdc::mysql
