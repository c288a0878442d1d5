#include "sources/mysql/partial_json.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>
#include <vector>

#include "cdc/error.h"
#include "cdc/format/json_writer.h"
#include "sources/mysql/byte_cursor.h"
#include "sources/mysql/json_binary.h"

namespace cdc::mysql {

namespace {

using Json = nlohmann::ordered_json;
using PathLeg = std::variant<std::string, size_t>;

enum Op : uint8_t { kReplace = 0, kInsert = 1, kRemove = 2 };

std::vector<PathLeg> ParsePath(std::string_view p) {
  if (p.empty() || p[0] != '$') throw Error("bad JSON diff path '" + std::string(p) + "'");
  std::vector<PathLeg> legs;
  size_t i = 1;
  while (i < p.size()) {
    if (p[i] == '.') {
      ++i;
      std::string key;
      if (i < p.size() && p[i] == '"') {
        ++i;
        while (i < p.size() && p[i] != '"') {
          if (p[i] == '\\' && i + 1 < p.size()) ++i;
          key += p[i++];
        }
        if (i >= p.size()) throw Error("bad JSON diff path");
        ++i;
      } else {
        while (i < p.size() && p[i] != '.' && p[i] != '[') key += p[i++];
      }
      legs.emplace_back(std::move(key));
    } else if (p[i] == '[') {
      size_t close = p.find(']', i);
      if (close == std::string_view::npos) throw Error("bad JSON diff path");
      legs.emplace_back(
          static_cast<size_t>(std::stoull(std::string(p.substr(i + 1, close - i - 1)))));
      i = close + 1;
    } else {
      throw Error("bad JSON diff path '" + std::string(p) + "'");
    }
  }
  if (legs.empty()) throw Error("JSON diff path '$' has no leg");
  return legs;
}

void Apply(Json& doc, uint8_t op, const std::vector<PathLeg>& legs, const Json& value) {
  Json* parent = &doc;
  for (size_t i = 0; i + 1 < legs.size(); ++i) {
    if (auto* key = std::get_if<std::string>(&legs[i])) {
      if (!parent->is_object() || !parent->contains(*key)) throw Error("JSON diff path not found");
      parent = &(*parent)[*key];
    } else {
      size_t idx = std::get<size_t>(legs[i]);
      if (!parent->is_array() || idx >= parent->size()) throw Error("JSON diff path not found");
      parent = &(*parent)[idx];
    }
  }
  const PathLeg& last = legs.back();
  if (auto* key = std::get_if<std::string>(&last)) {
    if (!parent->is_object()) throw Error("JSON diff path is not an object member");
    if (op == kRemove)
      parent->erase(*key);
    else
      (*parent)[*key] = value;
    return;
  }
  size_t idx = std::get<size_t>(last);
  if (!parent->is_array()) throw Error("JSON diff path is not an array element");
  if (op == kInsert) {
    parent->insert(parent->begin() + static_cast<std::ptrdiff_t>(std::min(idx, parent->size())),
                   value);
  } else if (idx < parent->size()) {
    if (op == kRemove)
      parent->erase(parent->begin() + static_cast<std::ptrdiff_t>(idx));
    else
      (*parent)[idx] = value;
  } else {
    throw Error("JSON diff array index out of range");
  }
}

// MySQL-style text (same spacing as JsonBinaryToText).
void Write(std::string& out, const Json& j) {
  switch (j.type()) {
    case Json::value_t::object: {
      out += '{';
      bool first = true;
      for (auto it = j.begin(); it != j.end(); ++it) {
        if (!first) out += ", ";
        first = false;
        format::AppendJsonString(out, it.key());
        out += ": ";
        Write(out, it.value());
      }
      out += '}';
      return;
    }
    case Json::value_t::array: {
      out += '[';
      for (size_t i = 0; i < j.size(); ++i) {
        if (i) out += ", ";
        Write(out, j[i]);
      }
      out += ']';
      return;
    }
    case Json::value_t::string:
      format::AppendJsonString(out, j.get_ref<const std::string&>());
      return;
    default:
      out += j.dump();
      return;
  }
}

struct Diff {
  uint8_t op = kReplace;
  std::string path;
  Json value;
};

std::vector<Diff> ReadDiffs(std::string_view diffs) {
  std::vector<Diff> out;
  ByteCursor c(diffs);
  while (!c.empty()) {
    Diff d;
    d.op = c.u8();
    if (d.op > kRemove) throw Error("bad JSON diff operation " + std::to_string(d.op));
    size_t path_len = c.packed_length("JSON diff path");
    d.path = std::string(c.bytes(path_len));
    if (d.op != kRemove) {
      size_t len = c.packed_length("JSON diff value");
      d.value = Json::parse(JsonBinaryToText(c.bytes(len)), nullptr, false);
      if (d.value.is_discarded()) throw Error("JSON diff value does not parse");
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace

Value ApplyJsonDiffs(const Value& before, std::string_view diffs) {
  if (!before.is<cdc::Json>()) throw Error("partial JSON update of a non-JSON before value");
  Json doc = Json::parse(before.as<cdc::Json>().text, nullptr, false);
  if (doc.is_discarded()) throw Error("before-image JSON does not parse");
  for (const Diff& d : ReadDiffs(diffs)) Apply(doc, d.op, ParsePath(d.path), d.value);
  std::string out;
  Write(out, doc);
  return Value(cdc::Json{std::move(out)});
}

std::string JsonDiffsToText(std::string_view diffs) {
  static const char* const kOps[] = {"replace", "insert", "remove"};
  std::string out = "[";
  for (const Diff& d : ReadDiffs(diffs)) {
    if (out.size() > 1) out += ", ";
    out += "{\"op\": \"";
    out += kOps[d.op];
    out += "\", \"path\": ";
    format::AppendJsonString(out, d.path);
    if (d.op != kRemove) {
      out += ", \"value\": ";
      Write(out, d.value);
    }
    out += '}';
  }
  return out + "]";
}

}  // namespace cdc::mysql
