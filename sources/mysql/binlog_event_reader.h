// BinlogFileReader: reads raw events from a binlog FILE.
//
// Checks the "\xfebin" magic, reads v4 event headers, tracks the checksum
// algorithm announced by each FORMAT_DESCRIPTION event, verifies and strips
// CRC32 checksums. Every failure (bad magic, truncated header or body,
// impossible event size, checksum mismatch) is a cdc::Error starting with
// "file:position:". Events are read one at a time, so a large binlog is not
// loaded into memory.
#pragma once

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>

#include "sources/mysql/binlog_event.h"
#include "sources/mysql/format_description.h"

namespace cdc::mysql {

class BinlogFileReader : public BinlogEventSource {
 public:
  // `display_name` names the file in errors and events (default: the
  // path's file name, which is what MySQL positions refer to).
  explicit BinlogFileReader(const std::string& path, std::string display_name = "");

  std::optional<BinlogEvent> next() override;

  // The last FORMAT_DESCRIPTION read (defaults until the first one).
  const FormatDescription& format() const { return format_; }
  // If false, CRC32 checksums are stripped but not verified.
  void set_verify_checksums(bool verify) { verify_checksums_ = verify; }

 private:
  std::string Where(uint64_t pos) const { return name_ + ":" + std::to_string(pos); }

  std::ifstream in_;
  std::string name_;
  uint64_t file_size_ = 0;
  uint64_t pos_ = 0;
  FormatDescription format_;
  bool verify_checksums_ = true;
};

// Removes the trailing checksum from `event` per `alg`, verifying it against
// `header_bytes` + body when `verify`. Also used by the network reader later.
// Throws cdc::Error (with the event's file:pos) on mismatch.
void StripChecksum(BinlogEvent& event, std::string_view header_bytes, ChecksumAlg alg, bool verify);

// Parses the 19-byte v4 header.
BinlogEventHeader ParseEventHeader(std::string_view bytes);

}  // namespace cdc::mysql
