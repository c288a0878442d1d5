#include "cdc/format/connect_schema.h"

namespace cdc::format {

ConnectSchema ConnectSchema::Of(std::string type, bool optional) {
  ConnectSchema s;
  s.type = std::move(type);
  s.optional = optional;
  return s;
}

ConnectSchema ConnectSchema::Struct(std::string name) {
  ConnectSchema s = Of("struct");
  s.name = std::move(name);
  return s;
}

ConnectSchema ConnectSchema::Array(ConnectSchema items, bool optional) {
  ConnectSchema s = Of("array", optional);
  s.items.push_back(std::move(items));
  return s;
}

ConnectSchema& ConnectSchema::Named(std::string n, std::optional<int> v) {
  name = std::move(n);
  version = v;
  return *this;
}

ConnectSchema& ConnectSchema::Param(std::string key, std::string value) {
  parameters.emplace_back(std::move(key), std::move(value));
  return *this;
}

ConnectSchema& ConnectSchema::Optional(bool o) {
  optional = o;
  return *this;
}

ConnectSchema& ConnectSchema::Add(std::string field_name, ConnectSchema member) {
  member.field = std::move(field_name);
  fields.push_back(std::move(member));
  return *this;
}

nlohmann::ordered_json ConnectSchema::ToJson() const {
  nlohmann::ordered_json j;
  j["type"] = type;
  if (type == "struct") {
    j["fields"] = nlohmann::ordered_json::array();
    for (const ConnectSchema& f : fields) j["fields"].push_back(f.ToJson());
  }
  if (!items.empty()) j["items"] = items.front().ToJson();
  j["optional"] = optional;
  if (!name.empty()) j["name"] = name;
  if (version) j["version"] = *version;
  if (!doc.empty()) j["doc"] = doc;
  if (!parameters.empty()) {
    nlohmann::ordered_json params = nlohmann::ordered_json::object();
    for (const auto& [k, v] : parameters) params[k] = v;
    j["parameters"] = std::move(params);
  }
  if (!default_value.is_null()) j["default"] = default_value;
  if (!field.empty()) j["field"] = field;
  return j;
}

}  // namespace cdc::format
