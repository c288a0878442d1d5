#include "sources/mysql/format_description.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "sources/mysql/byte_cursor.h"

namespace cdc::mysql {

namespace {

constexpr size_t kServerVersionLength = 50;

std::array<int, 3> SplitVersion(std::string_view version) {
  std::array<int, 3> out{0, 0, 0};
  const char* p = version.data();
  const char* end = version.data() + version.size();
  for (int i = 0; i < 3 && p < end; ++i) {
    auto [next, ec] = std::from_chars(p, end, out[i]);
    if (ec != std::errc()) break;
    p = next;
    if (p < end && *p == '.')
      ++p;
    else
      break;
  }
  return out;
}

}  // namespace

uint8_t FormatDescription::post_header_length(uint8_t type, uint8_t fallback) const {
  if (type == 0 || type > post_header_lengths.size()) return fallback;
  return post_header_lengths[type - 1];
}

bool ServerVersionHasChecksum(std::string_view version) {
  std::array<int, 3> v = SplitVersion(version);
  bool mariadb = version.find("MariaDB") != std::string_view::npos;
  std::array<int, 3> min = mariadb ? std::array<int, 3>{5, 3, 0} : std::array<int, 3>{5, 6, 1};
  return v >= min;
}

FormatDescription ParseFormatDescription(std::string_view body) {
  ByteCursor c(body);
  FormatDescription fd;
  fd.binlog_version = c.u16();
  std::string_view version = c.bytes(kServerVersionLength, "server version");
  fd.server_version = std::string(version.substr(0, version.find('\0')));
  fd.is_mariadb = fd.server_version.find("MariaDB") != std::string::npos;
  fd.create_timestamp = c.u32();
  fd.header_length = c.u8();
  size_t tail = 0;
  if (ServerVersionHasChecksum(fd.server_version)) {
    tail = 1;  // the algorithm byte; the caller has removed the CRC after it
    c.need(tail, "checksum algorithm");
    uint8_t alg = static_cast<uint8_t>(body[body.size() - tail]);
    fd.checksum_alg = alg == 1   ? ChecksumAlg::kCrc32
                      : alg == 0 ? ChecksumAlg::kOff
                                 : ChecksumAlg::kUndefined;
    if (alg > 1) throw Error("unknown checksum algorithm " + std::to_string(alg));
  }
  std::string_view lengths = c.bytes(c.remaining() - tail, "post-header lengths");
  fd.post_header_lengths.assign(lengths.begin(), lengths.end());
  return fd;
}

// zlib's crc32 is the same CRC-32 (IEEE 802.3) and processes words, not
// bytes: several times faster than a byte table on every binlog event.
uint32_t Crc32(std::string_view data, uint32_t crc) {
  while (!data.empty()) {
    const auto n = static_cast<uInt>(std::min<size_t>(data.size(), 1u << 30));
    crc = static_cast<uint32_t>(crc32(crc, reinterpret_cast<const Bytef*>(data.data()), n));
    data.remove_prefix(n);
  }
  return crc;
}

}  // namespace cdc::mysql
