// Value: one typed column value inside a row image.
//
// A Value is a small immutable variant. Numbers that must stay exact (DECIMAL,
// NUMERIC) are kept as their decimal text; times are kept as integer counts
// so that no floating point ever touches them. Which logical type a column
// has (int16 vs int64, timestamp precision, enum values...) lives in its
// Column in the TableSchema, not here: the Value only carries the data.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace cdc {

class Value;

// Exact decimal as text: optional '-', digits, optional '.' and digits.
// Also "NaN", "Infinity", "-Infinity" where the source allows them.
struct Decimal {
  std::string text;
  bool operator==(const Decimal&) const = default;
};
struct Bytes {
  std::string data;
  bool operator==(const Bytes&) const = default;
};
struct Json {  // JSON document as text, already valid JSON
  std::string text;
  bool operator==(const Json&) const = default;
};
struct Uuid {  // canonical lower-case 8-4-4-4-12 text
  std::string text;
  bool operator==(const Uuid&) const = default;
};
// Days since 1970-01-01; INT32_MAX / INT32_MIN (kInfinityDays,
// kMinusInfinityDays) stand for PostgreSQL's date 'infinity' / '-infinity'.
struct Date {
  int32_t days = 0;
  bool operator==(const Date&) const = default;
};
struct Time {  // microseconds since midnight; MySQL TIME may be negative or > 24h
  int64_t micros = 0;
  bool operator==(const Time&) const = default;
};
struct TimeTz {  // time of day with the UTC offset it was written with
  int64_t micros = 0;
  int32_t offset_seconds = 0;
  bool operator==(const TimeTz&) const = default;
};
// Microseconds since the epoch. For Timestamp (no time zone) this is the wall
// clock reading interpreted as UTC; for TimestampTz it is an instant in UTC.
// INT64_MAX / INT64_MIN stand for +infinity / -infinity.
struct Timestamp {
  int64_t micros = 0;
  bool operator==(const Timestamp&) const = default;
};
struct TimestampTz {
  int64_t micros = 0;
  bool operator==(const TimestampTz&) const = default;
};
struct Interval {
  int32_t months = 0;
  int32_t days = 0;
  int64_t micros = 0;
  bool operator==(const Interval&) const = default;
};
struct Array {
  std::shared_ptr<const std::vector<Value>> items;
  bool operator==(const Array& o) const;
};

inline constexpr int32_t kInfinityDays = INT32_MAX;
inline constexpr int32_t kMinusInfinityDays = INT32_MIN;
inline constexpr int64_t kInfinityMicros = INT64_MAX;
inline constexpr int64_t kMinusInfinityMicros = INT64_MIN;

// What malloc hands out for a request of `n` bytes (glibc: an 8-byte header,
// 16-byte granules, 32 at least); 0 for none.
inline size_t MallocBytes(size_t n) {
  return n == 0 ? 0 : std::max<size_t>(32, (n + 8 + 15) & ~size_t{15});
}
// The heap behind a string: none while it fits its inline buffer (15 bytes
// in libstdc++, the capacity of an empty string).
inline size_t HeapBytes(const std::string& s) {
  constexpr size_t kInline = 15;
  return s.capacity() <= kInline ? 0 : MallocBytes(s.capacity() + 1);
}

class Value {
 public:
  using Variant =
      std::variant<std::monostate, bool, int64_t, uint64_t, double, Decimal, std::string, Bytes,
                   Json, Uuid, Date, Time, TimeTz, Timestamp, TimestampTz, Interval, Array>;

  Value() = default;
  template <typename T>
  requires std::is_constructible_v<Variant, T&&> Value(T&& v)
      : v_(std::forward<T>(v)) {}  // NOLINT: implicit on purpose
  Value(const char* s) : v_(std::string(s)) {}
  Value(int v) : v_(int64_t{v}) {}

  static Value Null() { return Value(); }
  static Value ArrayOf(std::vector<Value> items);

  bool is_null() const { return std::holds_alternative<std::monostate>(v_); }
  template <typename T>
  bool is() const {
    return std::holds_alternative<T>(v_);
  }
  template <typename T>
  const T& as() const {
    return std::get<T>(v_);
  }
  const Variant& variant() const { return v_; }

  // Inline + heap footprint, for byte-bounded queues: what malloc really
  // hands out for it (HeapBytes), so that a queue's bytes are its memory.
  size_t approx_bytes() const { return sizeof(Value) + heap_bytes(); }
  // The heap part alone, for a holder that counts the Value itself.
  size_t heap_bytes() const;
  // Human-readable form for logs and test failure messages.
  std::string debug_string() const;

  bool operator==(const Value& o) const { return v_ == o.v_; }

 private:
  Variant v_;
};

}  // namespace cdc
