#include "sources/postgres/lsn.h"

#include <charconv>

namespace cdc::pg {

std::string FormatLsn(Lsn lsn) {
  // "%X/%X" without printf: this runs for every change event's id and offset.
  char buf[24];
  char* p = std::to_chars(buf, buf + 8, static_cast<uint32_t>(lsn >> 32), 16).ptr;
  *p++ = '/';
  p = std::to_chars(p, p + 8, static_cast<uint32_t>(lsn & 0xffffffffu), 16).ptr;
  for (char* c = buf; c < p; ++c) {
    if (*c >= 'a' && *c <= 'f') *c = static_cast<char>(*c - 'a' + 'A');
  }
  return std::string(buf, p);
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
