#include "sources/mysql/mysql_decimal.h"

#include "cdc/error.h"

namespace cdc::mysql {

namespace {

constexpr int kDigitsPerGroup = 9;
constexpr int kDigitBytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};

void CheckArgs(int precision, int scale) {
  if (precision < 1 || precision > 65 || scale < 0 || scale > 30 || scale > precision) {
    throw Error("invalid DECIMAL(" + std::to_string(precision) + "," + std::to_string(scale) + ")");
  }
}

}  // namespace

size_t DecimalBinarySize(int precision, int scale) {
  CheckArgs(precision, scale);
  int intg = precision - scale;
  return static_cast<size_t>((intg / kDigitsPerGroup) * 4 + kDigitBytes[intg % kDigitsPerGroup] +
                             (scale / kDigitsPerGroup) * 4 + kDigitBytes[scale % kDigitsPerGroup]);
}

std::string DecodeBinaryDecimal(std::string_view in, int precision, int scale) {
  size_t size = DecimalBinarySize(precision, scale);
  if (in.size() != size) throw Error("DECIMAL needs " + std::to_string(size) + " bytes");
  std::string b(in);
  bool negative = (static_cast<uint8_t>(b[0]) & 0x80) == 0;
  b[0] = static_cast<char>(b[0] ^ 0x80);
  if (negative) {
    for (char& ch : b) ch = static_cast<char>(~ch);
  }
  size_t pos = 0;
  auto read_be = [&](int nbytes) {
    uint32_t v = 0;
    for (int i = 0; i < nbytes; ++i) v = (v << 8) | static_cast<uint8_t>(b[pos++]);
    return v;
  };
  auto pad = [](uint32_t v, int digits) {
    std::string s = std::to_string(v);
    if (static_cast<int>(s.size()) > digits) throw Error("corrupt DECIMAL digit group");
    return std::string(digits - s.size(), '0') + s;
  };
  int intg = precision - scale;
  std::string int_digits;
  if (int lead = intg % kDigitsPerGroup) int_digits += pad(read_be(kDigitBytes[lead]), lead);
  for (int g = 0; g < intg / kDigitsPerGroup; ++g) int_digits += pad(read_be(4), 9);
  std::string frac_digits;
  for (int g = 0; g < scale / kDigitsPerGroup; ++g) frac_digits += pad(read_be(4), 9);
  if (int tail = scale % kDigitsPerGroup) frac_digits += pad(read_be(kDigitBytes[tail]), tail);

  size_t first = int_digits.find_first_not_of('0');
  std::string out = first == std::string::npos ? "0" : int_digits.substr(first);
  if (scale > 0) out += "." + frac_digits;
  bool zero = first == std::string::npos && frac_digits.find_first_not_of('0') == std::string::npos;
  if (negative && !zero) out.insert(out.begin(), '-');
  return out;
}

}  // namespace cdc::mysql
