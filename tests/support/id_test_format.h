// A tiny Format for sink tests that does not depend on the real ones, so a
// sink's expected output can be spelled out exactly: key {"id":N} (null for
// keyless events), value {"op":"c","id":N}.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cdc/change_event.h"
#include "cdc/format.h"

namespace cdc::testing {

class IdTestFormat : public Format {
 public:
  std::optional<std::string> key(const ChangeEvent& ev) const override {
    std::vector<Value> k = ev.key();
    if (k.empty()) return std::nullopt;
    return "{\"id\":" + std::to_string(k[0].as<int64_t>()) + "}";
  }
  std::string value(const ChangeEvent& ev) const override {
    std::vector<Value> k = ev.key();
    std::string id = k.empty() ? "null" : std::to_string(k[0].as<int64_t>());
    return std::string("{\"op\":\"") + OpName(ev.op) + "\",\"id\":" + id + "}";
  }
};

}  // namespace cdc::testing
