// ConnectSchema: a Kafka Connect schema, rendered the way Kafka's
// JsonConverter renders schemas (schemas.enable=true).
//
// JsonConverter writes a schema's attributes in a fixed order: type, then
// fields (struct) or items (array), optional, name, version, doc,
// parameters, default, and for a struct member the field name last. Consumers
// compare these documents as text (schema registries, diff-based tests), so
// the order is part of the contract and ToJson() reproduces it.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cdc::format {

struct ConnectSchema {
  std::string type;  // "int32", "string", "bytes", "struct", "array", ...
  bool optional = false;
  std::string name;  // logical or record name; empty for none
  std::optional<int> version;
  std::string doc;
  std::vector<std::pair<std::string, std::string>> parameters;
  std::vector<ConnectSchema> fields;     // struct members, each with `field` set
  std::vector<ConnectSchema> items;      // array element schema (one entry)
  nlohmann::ordered_json default_value;  // null: no default
  std::string field;                     // member name inside a struct

  static ConnectSchema Of(std::string type, bool optional = false);
  static ConnectSchema Struct(std::string name);
  static ConnectSchema Array(ConnectSchema items, bool optional);

  // Chainable setters for the common attributes.
  ConnectSchema& Named(std::string n, std::optional<int> v = std::nullopt);
  ConnectSchema& Param(std::string key, std::string value);
  ConnectSchema& Optional(bool o = true);
  // Appends a struct member.
  ConnectSchema& Add(std::string field_name, ConnectSchema member);

  nlohmann::ordered_json ToJson() const;
  std::string Dump() const { return ToJson().dump(); }
};

}  // namespace cdc::format
