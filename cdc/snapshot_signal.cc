#include "cdc/snapshot_signal.h"

#include <nlohmann/json.hpp>
#include <random>

namespace cdc {
namespace {

// The text of column `name` of `row`, or "" when absent or null.
std::string ColumnText(const ChangeEvent& ev, const Row& row, const char* name) {
  if (!ev.schema) return "";
  std::optional<size_t> i = ev.schema->find(name);
  if (!i || !row.has(*i)) return "";
  const Value& v = row.values[*i];
  if (v.is<std::string>()) return v.as<std::string>();
  if (v.is<Json>()) return v.as<Json>().text;
  if (v.is<Bytes>()) return v.as<Bytes>().data;
  return v.is_null() ? "" : v.debug_string();
}

std::vector<std::string> Strings(const nlohmann::json& j, const char* what) {
  if (!j.is_array()) throw std::runtime_error(std::string(what) + " is not a list");
  std::vector<std::string> out;
  for (const auto& e : j) {
    if (!e.is_string()) throw std::runtime_error(std::string(what) + " holds a non-string");
    out.push_back(e.get<std::string>());
  }
  return out;
}

void ReadExecute(const nlohmann::json& d, SnapshotSignal& s) {
  if (d.contains("data-collections")) s.tables = Strings(d["data-collections"], "data-collections");
  if (d.contains("tables")) {
    std::vector<std::string> more = Strings(d["tables"], "tables");
    s.tables.insert(s.tables.end(), more.begin(), more.end());
  }
  s.snapshot_type = d.value("type", "incremental");
  if (auto conds = d.find("additional-conditions"); conds != d.end()) {
    if (!conds->is_array()) throw std::runtime_error("additional-conditions is not a list");
    for (const auto& c : *conds) {
      s.filters[c.at("data-collection").get<std::string>()] = c.at("filter").get<std::string>();
    }
  }
  if (auto where = d.find("where"); where != d.end() && !where->get<std::string>().empty()) {
    for (const std::string& t : s.tables) s.filters[t] = where->get<std::string>();
  }
}

}  // namespace

std::optional<SnapshotSignal> ReadSignal(const ChangeEvent& ev) {
  if (!ev.after || (ev.op != Op::kCreate && ev.op != Op::kUpdate && ev.op != Op::kRead)) {
    return std::nullopt;
  }
  SnapshotSignal s;
  s.id = ColumnText(ev, *ev.after, "id");
  s.type = ColumnText(ev, *ev.after, "type");
  const std::string data = ColumnText(ev, *ev.after, "data");
  if (s.type == kWindowOpen || s.type == kWindowClose) {
    s.kind = s.type == kWindowOpen ? SnapshotSignal::Kind::kWindowOpen
                                   : SnapshotSignal::Kind::kWindowClose;
    s.chunk = data;
    return s;
  }
  if (s.type != kExecuteSnapshot && s.type != kStopSnapshot) return s;
  s.kind =
      s.type == kExecuteSnapshot ? SnapshotSignal::Kind::kExecute : SnapshotSignal::Kind::kStop;
  try {
    nlohmann::json d = data.empty() ? nlohmann::json::object() : nlohmann::json::parse(data);
    if (!d.is_object()) throw std::runtime_error("data is not a JSON object");
    s.pipeline = d.value("pipeline", "");
    if (s.kind == SnapshotSignal::Kind::kExecute) {
      ReadExecute(d, s);
      if (s.tables.empty()) throw std::runtime_error("it names no table (data-collections)");
    } else {
      if (d.contains("data-collections"))
        s.tables = Strings(d["data-collections"], "data-collections");
      if (d.contains("tables")) s.tables = Strings(d["tables"], "tables");
    }
  } catch (const std::exception& e) {
    s.error = std::string("data ") + data.substr(0, 200) + ": " + e.what();
  }
  return s;
}

std::string ExecuteSnapshotData(const std::vector<std::string>& tables, const std::string& where,
                                const std::string& pipeline) {
  nlohmann::ordered_json d;
  d["data-collections"] = tables;
  d["type"] = "incremental";
  if (!where.empty()) {
    nlohmann::ordered_json conds = nlohmann::ordered_json::array();
    for (const std::string& t : tables)
      conds.push_back({{"data-collection", t}, {"filter", where}});
    d["additional-conditions"] = conds;
  }
  d["pipeline"] = pipeline;
  return d.dump();
}

std::string NewSignalId(const std::string& prefix) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return prefix + "-" + buf;
}

}  // namespace cdc
