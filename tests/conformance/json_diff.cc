#include "tests/conformance/json_diff.h"

namespace cdc::testing {
namespace {

using nlohmann::json;

std::string Join(const std::string& path, const std::string& member) {
  return path.empty() ? member : path + "." + member;
}

// Connect schema fields carry their name in "field": label array items by it.
bool AllLabelled(const json& a) {
  if (a.empty()) return false;
  for (const json& item : a) {
    if (!item.is_object() || !item.contains("field") || !item["field"].is_string()) return false;
  }
  return true;
}

std::vector<std::string> Labels(const json& a) {
  std::vector<std::string> out;
  for (const json& item : a) out.push_back(item["field"].get<std::string>());
  return out;
}

const json* FindLabelled(const json& a, const std::string& label) {
  for (const json& item : a) {
    if (item["field"] == label) return &item;
  }
  return nullptr;
}

void DiffObjects(const json& c, const json& d, const std::string& path,
                 std::vector<FieldDifference>& out) {
  for (const auto& [name, cv] : c.items()) {
    auto it = d.find(name);
    if (it == d.end()) {
      out.push_back({Join(path, name), cv, std::nullopt});
    } else {
      DiffJson(cv, *it, Join(path, name), out);
    }
  }
  for (const auto& [name, dv] : d.items()) {
    if (!c.contains(name)) out.push_back({Join(path, name), std::nullopt, dv});
  }
}

void DiffLabelledArrays(const json& c, const json& d, const std::string& path,
                        std::vector<FieldDifference>& out) {
  const std::vector<std::string> cl = Labels(c), dl = Labels(d);
  if (cl != dl) out.push_back({path + "(field order)", json(cl), json(dl)});
  for (const std::string& label : cl) {
    const json* other = FindLabelled(d, label);
    const std::string at = path + "[" + label + "]";
    if (other) {
      DiffJson(*FindLabelled(c, label), *other, at, out);
    } else {
      out.push_back({at, *FindLabelled(c, label), std::nullopt});
    }
  }
  for (const std::string& label : dl) {
    if (!FindLabelled(c, label)) {
      out.push_back({path + "[" + label + "]", std::nullopt, *FindLabelled(d, label)});
    }
  }
}

void DiffArrays(const json& c, const json& d, const std::string& path,
                std::vector<FieldDifference>& out) {
  if (AllLabelled(c) && AllLabelled(d)) return DiffLabelledArrays(c, d, path, out);
  if (c.size() != d.size()) {
    out.push_back({path, c, d});
    return;
  }
  for (size_t i = 0; i < c.size(); ++i) {
    DiffJson(c[i], d[i], path + "[" + std::to_string(i) + "]", out);
  }
}

}  // namespace

bool SameNumber(const json& a, const json& b) {
  if (!a.is_number() || !b.is_number()) return false;
  if (a.is_number_integer() && b.is_number_integer()) {
    // Signed and unsigned: equal only when both fit the same way.
    if (a.is_number_unsigned() != b.is_number_unsigned()) {
      const json& s = a.is_number_unsigned() ? b : a;
      const json& u = a.is_number_unsigned() ? a : b;
      return s.get<int64_t>() >= 0 && static_cast<uint64_t>(s.get<int64_t>()) == u.get<uint64_t>();
    }
    return a == b;
  }
  return a.get<double>() == b.get<double>();
}

void DiffJson(const json& c, const json& d, const std::string& path,
              std::vector<FieldDifference>& out) {
  if (c.is_number() && d.is_number()) {
    if (!SameNumber(c, d)) out.push_back({path, c, d});
  } else if (c.is_object() && d.is_object()) {
    DiffObjects(c, d, path, out);
  } else if (c.is_array() && d.is_array()) {
    DiffArrays(c, d, path, out);
  } else if (c != d) {
    out.push_back({path, c, d});
  }
}

std::string ShowValue(const std::optional<json>& v, size_t max) {
  if (!v) return "(absent)";
  std::string s = v->dump(-1, ' ', false, json::error_handler_t::replace);
  if (s.size() > max) s = s.substr(0, max) + "...(" + std::to_string(s.size()) + " chars)";
  return s;
}

}  // namespace cdc::testing
