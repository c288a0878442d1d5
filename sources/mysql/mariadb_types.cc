#include "sources/mysql/mariadb_types.h"

#include <array>
#include <cstdint>

#include "cdc/error.h"

namespace cdc::mysql {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void AppendHexByte(std::string& out, uint8_t b) {
  out += kHex[b >> 4];
  out += kHex[b & 15];
}

void AppendDotted(std::string& out, std::string_view four) {
  for (size_t i = 0; i < 4; ++i) {
    if (i) out += '.';
    out += std::to_string(static_cast<uint8_t>(four[i]));
  }
}

std::string UuidText(std::string_view b) {
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    AppendHexByte(out, static_cast<uint8_t>(b[i]));
  }
  return out;
}

void AppendGroup(std::string& out, uint16_t g) {
  bool started = false;
  for (int shift = 12; shift >= 0; shift -= 4) {
    const int digit = g >> shift & 15;
    if (digit || started || shift == 0) {
      out += kHex[digit];
      started = true;
    }
  }
}

std::string Inet6Text(std::string_view b) {
  std::array<uint16_t, 8> g{};
  for (size_t i = 0; i < 8; ++i) {
    g[i] = static_cast<uint16_t>(static_cast<uint8_t>(b[2 * i]) << 8 |
                                 static_cast<uint8_t>(b[2 * i + 1]));
  }
  // The longest run of zero groups; the first one wins a tie.
  int gap = -1, gap_len = 0;
  for (int i = 0; i < 8;) {
    if (g[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && g[j] == 0) ++j;
    if (j - i > gap_len) gap = i, gap_len = j - i;
    i = j;
  }
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (i == gap) {
      out += i == 0 ? "::" : ":";
      i += gap_len - 1;
      continue;
    }
    if (i == 6 && gap == 0 && (gap_len == 6 || (gap_len == 5 && g[5] == 0xffff))) {
      AppendDotted(out, b.substr(12, 4));  // IPv4-compatible or IPv4-mapped
      return out;
    }
    AppendGroup(out, g[i]);
    if (i != 7) out += ':';
  }
  return out;
}

}  // namespace

std::string MariaDbTypeText(MariaDbType type, std::string_view bytes) {
  const size_t width = type == MariaDbType::kInet4 ? 4 : 16;
  if (type == MariaDbType::kNone || bytes.size() != width) {
    throw Error("a MariaDB UUID/INET value of " + std::to_string(bytes.size()) + " bytes (want " +
                std::to_string(width) + ")");
  }
  switch (type) {
    case MariaDbType::kUuid:
      return UuidText(bytes);
    case MariaDbType::kInet4: {
      std::string out;
      AppendDotted(out, bytes);
      return out;
    }
    default:
      return Inet6Text(bytes);
  }
}

}  // namespace cdc::mysql
