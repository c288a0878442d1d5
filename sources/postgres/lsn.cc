#include "sources/postgres/lsn.h"

#include <charconv>
#include <cstdio>

namespace cdc::pg {

std::string FormatLsn(Lsn lsn) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%X/%X", static_cast<unsigned>(lsn >> 32),
                static_cast<unsigned>(lsn & 0xffffffffu));
  return buf;
}

std::optional<Lsn> ParseLsn(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == text.size())
    return std::nullopt;
  auto half = [](std::string_view s) -> std::optional<uint32_t> {
    if (s.size() > 8) return std::nullopt;
    uint32_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
  };
  auto hi = half(text.substr(0, slash));
  auto lo = half(text.substr(slash + 1));
  if (!hi || !lo) return std::nullopt;
  return (Lsn{*hi} << 32) | *lo;
}

}  // namespace cdc::pg
