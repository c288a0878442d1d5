// ByteCursor: a bounds-checked little/big-endian reader over a byte span.
//
// Every binlog decoder reads through a ByteCursor so that a truncated or
// garbage event can never read out of bounds: each read checks the remaining
// length first and throws cdc::Error("... needs N bytes, K left") instead.
// The caller adds the file:position context (see BinlogEventDecoder).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cdc/error.h"

namespace cdc::mysql {

class ByteCursor {
 public:
  explicit ByteCursor(std::string_view data) : data_(data) {}

  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }
  bool empty() const { return remaining() == 0; }
  std::string_view rest() const { return data_.substr(pos_); }

  void need(size_t n, const char* what = "value") const {
    if (n > remaining()) {
      throw Error(std::string("truncated ") + what + ": needs " + std::to_string(n) + " bytes, " +
                  std::to_string(remaining()) + " left");
    }
  }
  std::string_view bytes(size_t n, const char* what = "bytes") {
    need(n, what);
    std::string_view out = data_.substr(pos_, n);
    pos_ += n;
    return out;
  }
  void skip(size_t n, const char* what = "bytes") { bytes(n, what); }
  uint8_t u8() { return static_cast<uint8_t>(bytes(1, "u8")[0]); }
  // Little-endian unsigned integer of n (1..8) bytes.
  uint64_t uint_le(size_t n) {
    std::string_view b = bytes(n, "integer");
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;) v = (v << 8) | static_cast<uint8_t>(b[i]);
    return v;
  }
  // Big-endian unsigned integer of n (1..8) bytes (DECIMAL, DATETIME2, ...).
  uint64_t uint_be(size_t n) {
    std::string_view b = bytes(n, "integer");
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(b[i]);
    return v;
  }
  uint16_t u16() { return static_cast<uint16_t>(uint_le(2)); }
  uint32_t u24() { return static_cast<uint32_t>(uint_le(3)); }
  uint32_t u32() { return static_cast<uint32_t>(uint_le(4)); }
  uint64_t u48() { return uint_le(6); }
  uint64_t u64() { return uint_le(8); }

  // MySQL length-encoded ("packed") integer: < 0xfb one byte, 0xfc + 2,
  // 0xfd + 3, 0xfe + 8 bytes. 0xfb (NULL) and 0xff are invalid here.
  uint64_t packed() {
    uint8_t first = u8();
    if (first < 0xfb) return first;
    if (first == 0xfc) return uint_le(2);
    if (first == 0xfd) return uint_le(3);
    if (first == 0xfe) return uint_le(8);
    throw Error("invalid packed integer prefix 0x" + Hex(first));
  }
  // A packed length that must fit in what is left (guards against huge
  // allocations driven by garbage).
  size_t packed_length(const char* what) {
    uint64_t n = packed();
    need(n > remaining() ? remaining() + 1 : n, what);
    return static_cast<size_t>(n);
  }

  static std::string Hex(uint8_t b) {
    static const char* digits = "0123456789abcdef";
    return std::string{digits[b >> 4], digits[b & 15]};
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

}  // namespace cdc::mysql
