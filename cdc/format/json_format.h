// JsonFormat: the base of the formats that write JSON (debezium, flat). They
// render by appending to a sink's OutBuffer; key() and value() are that
// rendering into a buffer of their own, so the two can never differ.
#pragma once

#include "cdc/format.h"

namespace cdc::format {

class JsonFormat : public Format {
 public:
  std::optional<std::string> key(const ChangeEvent& ev) const final {
    OutBuffer out(128);
    if (!append_key(ev, out)) return std::nullopt;
    return out.str();
  }
  std::string value(const ChangeEvent& ev) const final {
    OutBuffer out(512);
    append_value(ev, out);
    return out.str();
  }
  bool writes_json() const final { return true; }
};

}  // namespace cdc::format
