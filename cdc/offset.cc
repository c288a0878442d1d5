#include "cdc/offset.h"

#include "cdc/error.h"

namespace cdc {

nlohmann::json SharedOffsetState::build(const nlohmann::json& beside) const {
  if (beside.is_null()) return state_;
  if (!beside.is_object() || !(state_.is_object() || state_.is_null())) {
    throw Error("offset state " + beside.dump() + " cannot be combined with the shared state " +
                state_.dump());
  }
  nlohmann::json out = state_.is_null() ? nlohmann::json::object() : state_;
  out.update(beside);
  return out;
}

void Offset::resolve() {
  if (!deferred) return;
  state = deferred->build(state);
  deferred.reset();
}

nlohmann::json Offset::resolved_state() const {
  return deferred ? deferred->build(state) : state;
}

bool Offset::operator==(const Offset& other) const {
  if (tx != other.tx || index != other.index) return false;
  if (!deferred && !other.deferred) return state == other.state;
  return resolved_state() == other.resolved_state();
}

nlohmann::json Offset::to_json() const {
  nlohmann::json j = {{"tx", tx}, {"index", index}};
  nlohmann::json s = resolved_state();
  if (!s.is_null()) j["state"] = std::move(s);
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
  if (const nlohmann::json st = resolved_state(); !st.is_null()) {
    // A snapshot's queue can make the state long: logs get its start.
    constexpr size_t kShown = 400;
    const std::string dumped = st.dump();
    s += ' ';
    s.append(dumped, 0, kShown);
    if (dumped.size() > kShown) s += "... (" + std::to_string(dumped.size()) + " bytes)";
  }
  return s;
}

}  // namespace cdc
