#include "cdc/value.h"

#include <cstdio>

namespace cdc {

bool Array::operator==(const Array& o) const {
  if (items == o.items) return true;
  if (!items || !o.items) return false;
  return *items == *o.items;
}

Value Value::ArrayOf(std::vector<Value> items) {
  return Value(Array{std::make_shared<const std::vector<Value>>(std::move(items))});
}

namespace {

// Heap bytes only (the Value itself is counted by its holder).
struct SizeVisitor {
  size_t operator()(const std::string& s) const { return HeapBytes(s); }
  size_t operator()(const Decimal& d) const { return HeapBytes(d.text); }
  size_t operator()(const Bytes& b) const { return HeapBytes(b.data); }
  size_t operator()(const Json& j) const { return HeapBytes(j.text); }
  size_t operator()(const Uuid& u) const { return HeapBytes(u.text); }
  size_t operator()(const Array& a) const {
    if (!a.items) return 0;
    // make_shared: one block holding the control block and the vector.
    size_t n = MallocBytes(32 + sizeof(std::vector<Value>)) +
               MallocBytes(a.items->capacity() * sizeof(Value));
    for (const Value& v : *a.items) n += v.heap_bytes();
    return n;
  }
  template <typename T>
  size_t operator()(const T&) const {
    return 0;
  }
};

struct DebugVisitor {
  std::string operator()(std::monostate) const { return "null"; }
  std::string operator()(bool b) const { return b ? "true" : "false"; }
  std::string operator()(int64_t v) const { return std::to_string(v); }
  std::string operator()(uint64_t v) const { return std::to_string(v) + "u"; }
  std::string operator()(double v) const {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
  }
  std::string operator()(const Decimal& d) const { return "decimal(" + d.text + ")"; }
  std::string operator()(const std::string& s) const { return "'" + s + "'"; }
  std::string operator()(const Bytes& b) const {
    return "bytes(" + std::to_string(b.data.size()) + ")";
  }
  std::string operator()(const Json& j) const { return "json(" + j.text + ")"; }
  std::string operator()(const Uuid& u) const { return "uuid(" + u.text + ")"; }
  std::string operator()(const Date& d) const { return "date(" + std::to_string(d.days) + ")"; }
  std::string operator()(const Time& t) const { return "time(" + std::to_string(t.micros) + ")"; }
  std::string operator()(const TimeTz& t) const {
    return "timetz(" + std::to_string(t.micros) + "," + std::to_string(t.offset_seconds) + ")";
  }
  std::string operator()(const Timestamp& t) const {
    return "timestamp(" + std::to_string(t.micros) + ")";
  }
  std::string operator()(const TimestampTz& t) const {
    return "timestamptz(" + std::to_string(t.micros) + ")";
  }
  std::string operator()(const Interval& i) const {
    return "interval(" + std::to_string(i.months) + "m," + std::to_string(i.days) + "d," +
           std::to_string(i.micros) + "us)";
  }
  std::string operator()(const Array& a) const {
    std::string out = "[";
    if (a.items) {
      for (size_t i = 0; i < a.items->size(); ++i) {
        if (i) out += ",";
        out += (*a.items)[i].debug_string();
      }
    }
    return out + "]";
  }
};

}  // namespace

size_t Value::heap_bytes() const {
  return std::visit(SizeVisitor{}, v_);
}

std::string Value::debug_string() const {
  return std::visit(DebugVisitor{}, v_);
}

}  // namespace cdc
