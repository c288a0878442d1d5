#include "sources/mysql/json_binary.h"

#include <cstdio>
#include <cstring>

#include "cdc/error.h"
#include "cdc/format/json_writer.h"
#include "sources/mysql/byte_cursor.h"
#include "sources/mysql/column_types.h"
#include "sources/mysql/mysql_decimal.h"
#include "sources/mysql/mysql_temporal.h"

namespace cdc::mysql {

namespace {

enum JsonType : uint8_t {
  kSmallObject = 0x00,
  kLargeObject = 0x01,
  kSmallArray = 0x02,
  kLargeArray = 0x03,
  kLiteral = 0x04,
  kInt16 = 0x05,
  kUInt16 = 0x06,
  kInt32 = 0x07,
  kUInt32 = 0x08,
  kInt64 = 0x09,
  kUInt64 = 0x0a,
  kDouble = 0x0b,
  kString = 0x0c,
  kOpaque = 0x0f,
};

constexpr int kMaxDepth = 150;  // JSON_DOCUMENT_MAX_DEPTH is 100; allow slack

uint64_t ReadLe(std::string_view d, size_t pos, size_t n) {
  if (pos > d.size() || n > d.size() - pos) throw Error("JSON value out of range");
  uint64_t v = 0;
  for (size_t i = n; i-- > 0;) v = (v << 8) | static_cast<uint8_t>(d[pos + i]);
  return v;
}

// Variable-length length: 7 bits per byte, low groups first, at most 5 bytes.
uint64_t ReadVarLength(ByteCursor& c) {
  uint64_t v = 0;
  for (int i = 0; i < 5; ++i) {
    uint8_t b = c.u8();
    v |= uint64_t{b & 0x7fu} << (7 * i);
    if ((b & 0x80) == 0) return v;
  }
  throw Error("bad JSON variable-length integer");
}

void AppendBase64(std::string& out, std::string_view data) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    uint32_t v = static_cast<uint8_t>(data[i]) << 16 | static_cast<uint8_t>(data[i + 1]) << 8 |
                 static_cast<uint8_t>(data[i + 2]);
    out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], t[v & 63]};
  }
  if (i + 1 == data.size()) {
    uint32_t v = static_cast<uint8_t>(data[i]) << 16;
    out += {t[v >> 18], t[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == data.size()) {
    uint32_t v = static_cast<uint8_t>(data[i]) << 16 | static_cast<uint8_t>(data[i + 1]) << 8;
    out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], '='};
  }
}

void AppendDouble(std::string& out, double d) {
  char buf[64];
  // Shortest representation that round-trips, like MySQL's %g-style output.
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, d);
    double back = 0;
    std::sscanf(buf, "%lf", &back);
    if (back == d) break;
  }
  out += buf;
  // Keep it a JSON number that reads back as a double ("1" would be an int).
  if (std::strpbrk(buf, ".eEn") == nullptr) out += ".0";
}

void AppendOpaque(std::string& out, ByteCursor& c) {
  uint8_t field_type = c.u8();
  size_t len = ReadVarLength(c);
  std::string_view data = c.bytes(len, "JSON opaque value");
  switch (field_type) {
    case kTypeNewDecimal: {
      if (data.size() < 2) throw Error("short JSON DECIMAL");
      int precision = static_cast<uint8_t>(data[0]), scale = static_cast<uint8_t>(data[1]);
      out += DecodeBinaryDecimal(data.substr(2, DecimalBinarySize(precision, scale)), precision,
                                 scale);
      return;
    }
    case kTypeDate:
    case kTypeDateTime:
    case kTypeTimestamp:
    case kTypeTime: {
      if (data.size() < 8) throw Error("short JSON temporal");
      int64_t packed = static_cast<int64_t>(ReadLe(data, 0, 8));
      std::string text;
      if (field_type == kTypeTime) {
        text = FormatTime(PackedTimeToMicros(packed), 6);
      } else if (field_type == kTypeDate) {
        text = FormatDate(UnpackDateTime(packed));
      } else {
        text = FormatDateTime(UnpackDateTime(packed), 6);
      }
      format::AppendJsonString(out, text);
      return;
    }
    default: {
      std::string text = "base64:type" + std::to_string(field_type) + ":";
      AppendBase64(text, data);
      format::AppendJsonString(out, text);
      return;
    }
  }
}

void AppendValue(std::string& out, uint8_t type, std::string_view doc, size_t pos, int depth);

// An object or array at doc[pos...]; offsets inside are relative to pos.
void AppendContainer(std::string& out, uint8_t type, std::string_view doc, size_t pos, int depth) {
  if (depth > kMaxDepth) throw Error("JSON nested too deeply");
  if (pos > doc.size()) throw Error("JSON value offset out of range");
  bool large = type == kLargeObject || type == kLargeArray;
  bool object = type == kSmallObject || type == kLargeObject;
  size_t w = large ? 4 : 2;
  std::string_view d = doc.substr(pos);
  uint64_t count = ReadLe(d, 0, w);
  uint64_t size = ReadLe(d, w, w);
  if (size > d.size()) throw Error("JSON container size out of range");
  d = d.substr(0, size);
  size_t key_entries = 2 * w;
  size_t value_entries = key_entries + (object ? count * (w + 2) : 0);
  if (value_entries + count * (1 + w) > size) throw Error("JSON container header out of range");
  out += object ? '{' : '[';
  for (uint64_t i = 0; i < count; ++i) {
    if (i) out += ", ";
    if (object) {
      size_t k = key_entries + i * (w + 2);
      uint64_t key_off = ReadLe(d, k, w), key_len = ReadLe(d, k + w, 2);
      if (key_off > d.size() || key_len > d.size() - key_off) throw Error("JSON key out of range");
      format::AppendJsonString(out, d.substr(key_off, key_len));
      out += ": ";
    }
    size_t e = value_entries + i * (1 + w);
    uint8_t vt = static_cast<uint8_t>(d[e]);
    bool inlined = vt == kLiteral || vt == kInt16 || vt == kUInt16 ||
                   (large && (vt == kInt32 || vt == kUInt32));
    if (inlined) {
      AppendValue(out, vt, d, e + 1, depth + 1);
    } else {
      AppendValue(out, vt, d, ReadLe(d, e + 1, w), depth + 1);
    }
  }
  out += object ? '}' : ']';
}

void AppendValue(std::string& out, uint8_t type, std::string_view d, size_t pos, int depth) {
  switch (type) {
    case kSmallObject:
    case kLargeObject:
    case kSmallArray:
    case kLargeArray:
      AppendContainer(out, type, d, pos, depth);
      return;
    case kLiteral: {
      uint64_t v = ReadLe(d, pos, 1);
      if (v > 2) throw Error("bad JSON literal");
      out += v == 0 ? "null" : v == 1 ? "true" : "false";
      return;
    }
    case kInt16:
      out += std::to_string(static_cast<int16_t>(ReadLe(d, pos, 2)));
      return;
    case kUInt16:
      out += std::to_string(ReadLe(d, pos, 2));
      return;
    case kInt32:
      out += std::to_string(static_cast<int32_t>(ReadLe(d, pos, 4)));
      return;
    case kUInt32:
      out += std::to_string(ReadLe(d, pos, 4));
      return;
    case kInt64:
      out += std::to_string(static_cast<int64_t>(ReadLe(d, pos, 8)));
      return;
    case kUInt64:
      out += std::to_string(ReadLe(d, pos, 8));
      return;
    case kDouble: {
      uint64_t bits = ReadLe(d, pos, 8);
      double v;
      std::memcpy(&v, &bits, sizeof v);
      AppendDouble(out, v);
      return;
    }
    case kString: {
      if (pos > d.size()) throw Error("JSON string out of range");
      ByteCursor c(d.substr(pos));
      size_t len = ReadVarLength(c);
      format::AppendJsonString(out, c.bytes(len, "JSON string"));
      return;
    }
    case kOpaque: {
      if (pos > d.size()) throw Error("JSON opaque out of range");
      ByteCursor c(d.substr(pos));
      AppendOpaque(out, c);
      return;
    }
    default:
      throw Error("bad JSON value type 0x" + ByteCursor::Hex(type));
  }
}

}  // namespace

std::string JsonBinaryToText(std::string_view binary) {
  if (binary.empty()) return "null";
  std::string out;
  AppendValue(out, static_cast<uint8_t>(binary[0]), binary.substr(1), 0, 0);
  return out;
}

}  // namespace cdc::mysql
