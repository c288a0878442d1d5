#include "cdc/offset.h"

#include "cdc/error.h"

namespace cdc {

nlohmann::json Offset::to_json() const {
  nlohmann::json j = {{"tx", tx}, {"index", index}};
  if (!state.is_null()) j["state"] = state;
  return j;
}

Offset Offset::from_json(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object() || !j.contains("tx") || !j["tx"].is_string() || !j.contains("index") ||
      !j["index"].is_number_unsigned()) {
    throw Error(where +
                ": not an offset (want {\"tx\": string, \"index\": unsigned}): " + j.dump());
  }
  Offset o;
  o.tx = j["tx"].get<std::string>();
  o.index = j["index"].get<uint64_t>();
  if (j.contains("state")) o.state = j["state"];
  return o;
}

std::string Offset::debug_string() const {
  std::string s = tx;
  s += '#';
  s += std::to_string(index);
  if (!state.is_null()) {
    s += ' ';
    s += state.dump();
  }
  return s;
}

}  // namespace cdc
