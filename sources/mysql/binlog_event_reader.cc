#include "sources/mysql/binlog_event_reader.h"

#include <filesystem>

#include "cdc/error.h"
#include "sources/mysql/byte_cursor.h"

namespace cdc::mysql {

namespace {
constexpr size_t kChecksumSize = 4;
constexpr size_t kServerVersionOffset = 2;  // in the FDE body, after binlog_version
constexpr size_t kServerVersionLength = 50;
constexpr size_t kFlagsOffset = 17;  // in the v4 header
constexpr uint8_t kBinlogInUseFlag = 0x01;
}  // namespace

BinlogEventHeader ParseEventHeader(std::string_view bytes) {
  ByteCursor c(bytes);
  BinlogEventHeader h;
  h.timestamp = c.u32();
  h.type = c.u8();
  h.server_id = c.u32();
  h.event_size = c.u32();
  h.log_pos = c.u32();
  h.flags = c.u16();
  return h;
}

void StripChecksum(BinlogEvent& event, std::string_view header_bytes, ChecksumAlg alg,
                   bool verify) {
  if (alg != ChecksumAlg::kCrc32 && alg != ChecksumAlg::kOff) return;
  // With alg OFF there is no checksum, except in the FDE itself, whose caller
  // strips it explicitly with kCrc32 and verify=false.
  if (alg == ChecksumAlg::kOff) return;
  if (event.body.size() < kChecksumSize) {
    throw Error(event.where() + ": event too short for its CRC32 checksum");
  }
  size_t n = event.body.size() - kChecksumSize;
  if (verify) {
    uint32_t expected = static_cast<uint32_t>(ByteCursor(event.body.substr(n)).u32());
    uint32_t actual = Crc32(std::string_view(event.body).substr(0, n), Crc32(header_bytes));
    if (expected != actual && event.header.type == kFormatDescriptionEvent &&
        header_bytes.size() == kEventHeaderSize) {
      // The server computes the FDE checksum with LOG_EVENT_BINLOG_IN_USE_F
      // set and clears the flag in place when it closes the file, without
      // rewriting the checksum; MySQL's own check compensates the same way.
      std::string flipped(header_bytes);
      flipped[kFlagsOffset] = static_cast<char>(flipped[kFlagsOffset] ^ kBinlogInUseFlag);
      actual = Crc32(std::string_view(event.body).substr(0, n), Crc32(flipped));
    }
    if (expected != actual) {
      throw Error(event.where() + ": CRC32 checksum mismatch in " +
                  EventTypeName(event.header.type) + " event");
    }
  }
  event.body.resize(n);
}

BinlogFileReader::BinlogFileReader(const std::string& path, std::string display_name)
    : in_(path, std::ios::binary),
      name_(display_name.empty() ? std::filesystem::path(path).filename().string()
                                 : std::move(display_name)) {
  if (!in_) throw Error(name_ + ": cannot open binlog file " + path);
  std::error_code ec;
  file_size_ = std::filesystem::file_size(path, ec);
  if (ec) throw Error(name_ + ": cannot stat binlog file: " + ec.message());
  char magic[4] = {};
  in_.read(magic, 4);
  if (in_.gcount() != 4 || std::string_view(magic, 4) != std::string_view(kBinlogMagic, 4)) {
    std::string got;
    for (int i = 0; i < in_.gcount(); ++i) got += ByteCursor::Hex(static_cast<uint8_t>(magic[i]));
    throw Error(Where(0) + ": not a binlog file (bad magic '" + got + "')");
  }
  pos_ = 4;
}

std::optional<BinlogEvent> BinlogFileReader::next() {
  if (pos_ == file_size_) return std::nullopt;
  if (file_size_ - pos_ < kEventHeaderSize) {
    throw Error(Where(pos_) + ": truncated event header (" + std::to_string(file_size_ - pos_) +
                " bytes left)");
  }
  std::string header_bytes(kEventHeaderSize, '\0');
  in_.read(header_bytes.data(), kEventHeaderSize);
  if (in_.gcount() != static_cast<std::streamsize>(kEventHeaderSize)) {
    throw Error(Where(pos_) + ": read error in event header");
  }
  BinlogEvent event;
  event.header = ParseEventHeader(header_bytes);
  event.file = name_;
  event.position = pos_;
  uint32_t size = event.header.event_size;
  if (size < kEventHeaderSize) {
    throw Error(Where(pos_) + ": corrupt event header (event size " + std::to_string(size) +
                " < 19)");
  }
  if (size > file_size_ - pos_) {
    throw Error(Where(pos_) + ": truncated " + EventTypeName(event.header.type) + " event (size " +
                std::to_string(size) + ", " + std::to_string(file_size_ - pos_) +
                " bytes left in file)");
  }
  event.body.resize(size - kEventHeaderSize);
  in_.read(event.body.data(), static_cast<std::streamsize>(event.body.size()));
  if (in_.gcount() != static_cast<std::streamsize>(event.body.size())) {
    throw Error(Where(pos_) + ": read error in event body");
  }
  pos_ += size;

  if (event.header.type == kFormatDescriptionEvent) {
    // The FDE's own checksum depends on its own algorithm byte, which sits
    // just before the CRC; the server version says whether both exist.
    if (event.body.size() < kServerVersionOffset + kServerVersionLength) {
      throw Error(event.where() + ": truncated FORMAT_DESCRIPTION event");
    }
    std::string_view version(event.body.data() + kServerVersionOffset, kServerVersionLength);
    version = version.substr(0, version.find('\0'));
    if (ServerVersionHasChecksum(version)) {
      if (event.body.size() < kChecksumSize + 1) {
        throw Error(event.where() + ": truncated FORMAT_DESCRIPTION event");
      }
      bool crc = event.body[event.body.size() - kChecksumSize - 1] == 1;
      StripChecksum(event, header_bytes, ChecksumAlg::kCrc32, crc && verify_checksums_);
    }
    try {
      format_ = ParseFormatDescription(event.body);
    } catch (const Error& e) {
      throw Error(event.where() + ": " + e.what());
    }
    return event;
  }
  StripChecksum(event, header_bytes, format_.checksum_alg, verify_checksums_);
  return event;
}

}  // namespace cdc::mysql
