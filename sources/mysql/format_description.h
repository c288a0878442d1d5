// FormatDescription: the FORMAT_DESCRIPTION event (type 15) that starts every
// v4 binlog and says how to read the rest: per-type post-header lengths and
// the checksum algorithm (MySQL >= 5.6.1, MariaDB >= 5.3).
//
// The reader needs it to strip and verify checksums, the decoder to know the
// post-header sizes (table ids were 4 bytes in early 5.1 servers), so it
// lives on its own.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cdc::mysql {

enum class ChecksumAlg : uint8_t { kOff = 0, kCrc32 = 1, kUndefined = 255 };

struct FormatDescription {
  uint16_t binlog_version = 4;
  std::string server_version;
  uint32_t create_timestamp = 0;
  uint8_t header_length = 19;
  std::vector<uint8_t> post_header_lengths;  // index = event type - 1
  // Algorithm for the events that FOLLOW; kUndefined for servers too old to
  // know checksums (their FDE carries no algorithm byte).
  ChecksumAlg checksum_alg = ChecksumAlg::kUndefined;
  bool is_mariadb = false;

  // Post-header length for `type`, or `fallback` if the FDE has none.
  uint8_t post_header_length(uint8_t type, uint8_t fallback) const;
};

// Parses an FDE body that still holds the algorithm byte but no longer the
// 4-byte CRC after it (see StripChecksum in the reader). Throws cdc::Error when the body
// is too short.
FormatDescription ParseFormatDescription(std::string_view body);

// True if the server version (e.g. "5.6.4-m7-log", "10.5.15-MariaDB") is new
// enough to write a checksum-algorithm byte in its FDE.
bool ServerVersionHasChecksum(std::string_view version);

// zlib-compatible CRC-32 (the binlog checksum).
uint32_t Crc32(std::string_view data, uint32_t crc = 0);

}  // namespace cdc::mysql
