// JsonWriter: builds compact JSON text in a buffer of its own, or appends it
// to a sink's OutBuffer.
//
// The formats render every record through this writer instead of a JSON DOM:
// a DOM allocates a node per value, the writer only copies bytes into a
// growing buffer (checked once per token, not per character), and that is
// most of the cost on the hot path. It inserts the commas itself (one "a value
// was already written here" bit per nesting level), always escapes strings,
// and replaces invalid UTF-8 with U+FFFD, so its output is valid single-line
// JSON whatever bytes a database hands over. It does not check that objects
// alternate keys and values: the callers' code shape does.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "cdc/out_buffer.h"

namespace cdc::format {

class JsonWriter {
 public:
  explicit JsonWriter(size_t reserve = 256);
  // Appends to `out`, after what it holds. Nothing shows in `out` until
  // commit(): a render that throws half way leaves `out` as it was.
  explicit JsonWriter(OutBuffer& out, size_t reserve = 256);
  JsonWriter(const JsonWriter&) = delete;  // end_ and cap_ point into *out_
  JsonWriter& operator=(const JsonWriter&) = delete;

  // The text written so far (own buffer only); the writer is left empty.
  std::string take();
  // Makes the text written so far part of the OutBuffer written to.
  void commit() { out_->commit(end_); }

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }

  // An object key; the next value written belongs to it.
  void key(std::string_view name);
  // A key that needs no escaping (a literal of ASCII letters, digits and '_'),
  // for the fixed field names of the hot path.
  void plain_key(std::string_view name) {
    before_value();
    char* p = room(name.size() + 3);
    *p++ = '"';
    std::memcpy(p, name.data(), name.size());
    p += name.size();
    *p++ = '"';
    *p++ = ':';
    end_ = p;
    after_key_ = true;
  }
  // A key already rendered as `"name":` (see QuotedKey), to skip escaping.
  void quoted_key(std::string_view quoted) {
    before_value();
    put(quoted);
    after_key_ = true;
  }

  void null() {
    before_value();
    put("null");
  }
  void boolean(bool v) {
    before_value();
    put(v ? std::string_view("true") : std::string_view("false"));
  }
  void int64(int64_t v);
  void uint64(uint64_t v);
  // Shortest text that reads back as the same number. JSON has no NaN or
  // infinities: like Kafka's JsonConverter (Jackson quotes non-numeric
  // numbers by default) they are written as the strings "NaN", "Infinity"
  // and "-Infinity".
  void float64(double v);
  void float32(float v);
  void string(std::string_view s) {
    before_value();
    put_escaped(s);
  }
  // Bytes as a base64 string (what Kafka's JsonConverter writes for bytes).
  void base64(std::string_view bytes);
  // A value that is already valid compact JSON text (a cached schema).
  void raw_value(std::string_view json) {
    before_value();
    put(json);
  }
  // Members of the current object already rendered ("a":1,"b":2), not
  // empty: written as one member is.
  void raw_members(std::string_view members) {
    before_value();
    put(members);
  }

 private:
  void before_value() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    uint64_t bit = uint64_t{1} << depth_;
    if (written_bits_ & bit) put(',');
    written_bits_ |= bit;
  }
  void open(char c);
  void close(char c) {
    --depth_;
    put(c);
  }
  // Room for n more bytes at end_.
  char* room(size_t n) {
    if (static_cast<size_t>(cap_ - end_) < n) grow(n);
    return end_;
  }
  void grow(size_t n);
  void put(char c) { *room(1) = c, ++end_; }
  void put(std::string_view s) {
    std::memcpy(room(s.size()), s.data(), s.size());
    end_ += s.size();
  }
  void put_escaped(std::string_view s);
  void put_float_text(const char* begin, const char* end);

  OutBuffer own_;   // storage when no OutBuffer was given
  OutBuffer* out_;  // &own_ or the caller's; bytes past end_ are scratch
  char* end_ = nullptr;
  char* cap_ = nullptr;
  uint64_t written_bits_ = 0;  // bit d: level d already holds a value
  int depth_ = 0;
  bool after_key_ = false;
};

// The index of the first byte at or after `i` that a JSON string cannot hold
// as is (a control byte, '"', '\\', or any byte >= 0x80, which may be part of
// valid UTF-8), or s.size(). Scans eight bytes at a time.
size_t NextByteToEscape(std::string_view s, size_t i);

// `"name":` with `name` escaped, for JsonWriter::quoted_key.
std::string QuotedKey(std::string_view name);

// `s` as a JSON string literal (quotes included).
std::string JsonString(std::string_view s);

// Appends `s` to `out` as a JSON string literal, as JsonWriter::string
// writes it: short escapes, \u00xx for other control bytes, valid UTF-8
// verbatim, one pass. A byte that is not part of valid UTF-8 becomes U+FFFD;
// with `strict`, nothing is appended instead and the result is false.
bool AppendJsonString(std::string& out, std::string_view s, bool strict = false);
bool AppendJsonString(OutBuffer& out, std::string_view s, bool strict = false);

}  // namespace cdc::format
