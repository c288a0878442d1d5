// MySQL binary DECIMAL (decimal2bin in strings/decimal.cc) to exact text.
//
// The value is stored big-endian in groups of 9 decimal digits per 4 bytes,
// with the leftover leading integer digits and trailing fraction digits in
// 1-4 bytes; the top bit is flipped so that the bytes sort, and negative
// numbers have every bit inverted. Text keeps exactly `scale` fraction digits
// ("-1.50" for DECIMAL(5,2)), so no precision is ever lost.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cdc::mysql {

// Bytes a DECIMAL(precision, scale) occupies. Throws cdc::Error for an
// impossible precision/scale.
size_t DecimalBinarySize(int precision, int scale);

// Decodes exactly DecimalBinarySize(precision, scale) bytes.
std::string DecodeBinaryDecimal(std::string_view bytes, int precision, int scale);

}  // namespace cdc::mysql
