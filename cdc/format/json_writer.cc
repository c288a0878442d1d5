#include "cdc/format/json_writer.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include "cdc/error.h"
#include "cdc/format/value_encoding.h"

namespace cdc::format {
namespace {

constexpr int kMaxDepth = 63;                              // one bit of written_bits_ per level
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool IsContinuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

// Length of the valid UTF-8 sequence starting at s[i] (a byte >= 0x80), or 0
// when it is not one (overlong forms, surrogates and > U+10FFFF included).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto at = [&](size_t k) -> unsigned char { return i + k < s.size() ? s[i + k] : 0; };
  unsigned char c = at(0);
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  size_t n;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (at(1) < lo || at(1) > hi) return 0;
  for (size_t k = 2; k < n; ++k)
    if (!IsContinuation(at(k))) return 0;
  return n;
}

// Bytes that cannot be copied verbatim: controls, '"', '\\' and non-ASCII
// (checked for valid UTF-8). A table, because this test runs per byte.
constexpr auto kNeedsEscape = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = c < 0x20 || c == '"' || c == '\\' || c >= 0x80;
  return t;
}();

bool NeedsEscape(unsigned char c) {
  return kNeedsEscape[c];
}

// The escape sequence for a byte below 0x20, '"' or '\\'.
std::string_view Escape(unsigned char c, char (&buf)[6]) {
  switch (c) {
    case '"':
      return "\\\"";
    case '\\':
      return "\\\\";
    case '\b':
      return "\\b";
    case '\f':
      return "\\f";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
  }
  static const char kHex[] = "0123456789abcdef";
  buf[0] = '\\', buf[1] = 'u', buf[2] = '0', buf[3] = '0';
  buf[4] = kHex[c >> 4], buf[5] = kHex[c & 0xF];
  return {buf, 6};
}

}  // namespace

JsonWriter::JsonWriter(size_t reserve) : JsonWriter(own_, std::max<size_t>(reserve, 16)) {}

JsonWriter::JsonWriter(OutBuffer& out, size_t reserve) : out_(&out) {
  end_ = out.room(reserve);
  cap_ = out.limit();
}

std::string JsonWriter::take() {
  commit();
  std::string out = own_.str();
  own_.clear();
  end_ = own_.end();
  cap_ = own_.limit();
  written_bits_ = 0;
  depth_ = 0;
  after_key_ = false;
  return out;
}

void JsonWriter::grow(size_t n) {
  // The buffer keeps only what it holds when it grows: hold the pending
  // text for that moment, then hand it back as uncommitted.
  const size_t committed = out_->size();
  out_->commit(end_);
  const size_t pending = out_->size();
  out_->room(n);
  out_->truncate(committed);
  end_ = out_->end() + (pending - committed);
  cap_ = out_->limit();
}

void JsonWriter::open(char c) {
  before_value();
  put(c);
  if (depth_ == kMaxDepth) throw Error("JSON output nests deeper than 63 levels");
  ++depth_;
  written_bits_ &= ~(uint64_t{1} << depth_);
}

void JsonWriter::key(std::string_view name) {
  before_value();
  put_escaped(name);
  put(':');
  after_key_ = true;
}

size_t NextByteToEscape(std::string_view s, size_t i) {
  // Eight bytes at a time: a byte needs a look when it is >= 0x80, below
  // 0x20, '"' or '\\'. Bit tricks flag each such byte's top bit.
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  auto has_zero = [](uint64_t v) { return (v - kOnes) & ~v & kHigh; };
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    const uint64_t flagged = (w & kHigh) | ((w - 0x20 * kOnes) & ~w & kHigh) |
                             has_zero(w ^ ('"' * kOnes)) | has_zero(w ^ ('\\' * kOnes));
    if (flagged) break;
  }
  while (i < s.size() && !NeedsEscape(static_cast<unsigned char>(s[i]))) ++i;
  return i;
}

// The one JSON string escaper: `put` receives the literal in pieces. Returns
// false at the first byte that is not valid UTF-8 when `strict` (the pieces
// put so far are the caller's to drop); otherwise each such byte is U+FFFD.
template <typename Put>
bool EscapeJsonString(std::string_view s, bool strict, Put&& put) {
  put(std::string_view("\"", 1));
  size_t run = 0;  // start of the pending run of bytes copied verbatim
  for (size_t i = NextByteToEscape(s, 0); i < s.size(); i = NextByteToEscape(s, i)) {
    unsigned char c = s[i];
    size_t n = c >= 0x80 ? Utf8SequenceLength(s, i) : 0;
    if (n) {
      i += n;
      continue;
    }
    if (c >= 0x80 && strict) return false;
    put(s.substr(run, i - run));
    char buf[6];
    put(c >= 0x80 ? kReplacement : Escape(c, buf));
    run = ++i;
  }
  put(s.substr(run));
  put(std::string_view("\"", 1));
  return true;
}

void JsonWriter::put_escaped(std::string_view s) {
  EscapeJsonString(s, false, [this](std::string_view piece) { put(piece); });
}

bool AppendJsonString(std::string& out, std::string_view s, bool strict) {
  const size_t start = out.size();
  if (EscapeJsonString(s, strict, [&out](std::string_view piece) { out.append(piece); })) {
    return true;
  }
  out.resize(start);
  return false;
}

bool AppendJsonString(OutBuffer& out, std::string_view s, bool strict) {
  const size_t start = out.size();
  if (EscapeJsonString(s, strict, [&out](std::string_view piece) { out.append(piece); })) {
    return true;
  }
  out.truncate(start);
  return false;
}

void JsonWriter::int64(int64_t v) {
  before_value();
  char* p = room(24);
  end_ = std::to_chars(p, p + 24, v).ptr;
}

void JsonWriter::uint64(uint64_t v) {
  before_value();
  char* p = room(24);
  end_ = std::to_chars(p, p + 24, v).ptr;
}

// Jackson writes 1.0 for a whole double; std::to_chars writes 1. Both parse to
// the same number, but keeping the ".0" keeps float fields recognisable.
void JsonWriter::put_float_text(const char* begin, const char* end) {
  put(std::string_view(begin, static_cast<size_t>(end - begin)));
  if (std::none_of(begin, end, [](char c) { return c == '.' || c == 'e' || c == 'E'; })) put(".0");
}

void JsonWriter::float64(double v) {
  if (std::isnan(v)) return string("NaN");
  if (std::isinf(v)) return string(v > 0 ? "Infinity" : "-Infinity");
  before_value();
  char buf[32];
  put_float_text(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

void JsonWriter::float32(float v) {
  if (std::isnan(v)) return string("NaN");
  if (std::isinf(v)) return string(v > 0 ? "Infinity" : "-Infinity");
  before_value();
  char buf[32];
  put_float_text(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

void JsonWriter::base64(std::string_view bytes) {
  before_value();
  char* p = room(Base64Length(bytes.size()) + 2);
  *p++ = '"';
  p = EncodeBase64(bytes, p);
  *p++ = '"';
  end_ = p;
}

std::string JsonString(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

std::string QuotedKey(std::string_view name) {
  return JsonString(name) + ":";
}

}  // namespace cdc::format
