#include "cdc/snapshot_progress.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "cdc/error.h"

namespace cdc {
namespace {

constexpr uint64_t kFnvOffset = 14695981039346656037ull;
constexpr uint64_t kFnvPrime = 1099511628211ull;

uint64_t HashName(uint64_t h, const std::string& name) {
  for (unsigned char c : name) h = (h ^ c) * kFnvPrime;
  return (h ^ 0) * kFnvPrime;  // the NUL that ends each name
}

std::string Hex(uint64_t h) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, h);
  return buf;
}

uint64_t ParseHex(const std::string& s) {
  if (s.size() != 16 || s.find_first_not_of("0123456789abcdef") != std::string::npos) {
    throw Error("through.hash " + s + " is not 16 hex digits");
  }
  return std::stoull(s, nullptr, 16);
}

bool Touched(const SnapshotProgress::Table& t) {
  return t.done || t.rows > 0 || t.last_key;
}

}  // namespace

nlohmann::json SnapshotTableJson(const SnapshotProgress::Table& t) {
  return {{"last_key", t.last_key ? nlohmann::json(*t.last_key) : nlohmann::json()},
          {"rows", t.rows},
          {"done", t.done}};
}

SnapshotProgress::Table SnapshotProgress::table(const std::string& name) const {
  if (auto it = tables.find(name); it != tables.end()) return it->second;
  Table t;
  t.done = through && name <= through->table;
  return t;
}

nlohmann::json SnapshotProgress::to_json() const {
  nlohmann::json out_tables = nlohmann::json::object();
  for (const auto& [name, t] : tables) out_tables[name] = SnapshotTableJson(t);
  nlohmann::json j = {{"phase", phase}, {"point", point}, {"tables", std::move(out_tables)}};
  if (through) {
    j["through"] = {
        {"table", through->table}, {"count", through->count}, {"hash", Hex(through->hash)}};
  }
  return j;
}

SnapshotProgress SnapshotProgress::FromJson(const nlohmann::json& state) {
  try {
    SnapshotProgress p;
    p.phase = state.at("phase").get<std::string>();
    if (p.phase != "snapshot" && p.phase != "done") throw Error("bad phase " + p.phase);
    p.point = state.at("point");
    if (p.point.is_null()) throw Error("null point");
    if (auto it = state.find("through"); it != state.end()) {
      p.through = Through{it->at("table").get<std::string>(), it->at("count").get<uint64_t>(),
                          ParseHex(it->at("hash").get<std::string>())};
    }
    for (const auto& [name, t] : state.at("tables").items()) {
      Table tab;
      if (!t.at("last_key").is_null()) {
        tab.last_key = t.at("last_key").get<std::vector<std::string>>();
      }
      tab.rows = t.at("rows").get<uint64_t>();
      tab.done = t.at("done").get<bool>();
      p.tables[name] = std::move(tab);
    }
    return p;
  } catch (const std::exception& e) {
    throw Error("offset state " + state.dump() + " is not a snapshot progress state: " + e.what());
  }
}

SnapshotLedger::SnapshotLedger(std::vector<std::string> names, const SnapshotProgress& resumed)
    : phase_(resumed.phase), point_(resumed.point), names_(std::move(names)) {
  std::sort(names_.begin(), names_.end());
  if (std::adjacent_find(names_.begin(), names_.end()) != names_.end()) {
    throw Error("snapshot: a table is named twice");
  }
  uint64_t h = kFnvOffset;
  prefix_hash_.reserve(names_.size());
  states_.reserve(names_.size());
  for (const std::string& n : names_) {
    prefix_hash_.push_back(h = HashName(h, n));
    states_.push_back(resumed.table(n));
  }
  if (resumed.through) {
    const auto end = std::upper_bound(names_.begin(), names_.end(), resumed.through->table);
    const size_t count = static_cast<size_t>(end - names_.begin());
    if (count > 0) through_ = count - 1;
    const uint64_t hash = count > 0 ? prefix_hash_[count - 1] : kFnvOffset;
    if (count != resumed.through->count || hash != resumed.through->hash) {
      set_changed_ =
          std::to_string(resumed.through->count) + " then, " + std::to_string(count) + " now";
    }
  }
  for (size_t pos = 0; pos < names_.size(); ++pos) relist(pos);
}

size_t SnapshotLedger::position(const std::string& name) const {
  auto it = std::lower_bound(names_.begin(), names_.end(), name);
  if (it == names_.end() || *it != name) throw Error("snapshot: table " + name + " not captured");
  return static_cast<size_t>(it - names_.begin());
}

bool SnapshotLedger::listed(size_t pos) const {
  const SnapshotProgress::Table& t = states_[pos];
  if (through_ && pos <= *through_) return !t.done;
  return Touched(t);
}

void SnapshotLedger::relist(size_t pos) {
  if (listed(pos)) {
    listed_.insert(pos);
  } else {
    listed_.erase(pos);
  }
}

void SnapshotLedger::touch(size_t pos) {
  if (through_ && pos <= *through_) return;
  const size_t from = through_ ? *through_ + 1 : 0;
  through_ = pos;
  // Tables the frontier passes are taken by workers (name order), or done.
  for (size_t p = from; p <= pos; ++p) relist(p);
}

void SnapshotLedger::set(size_t pos, SnapshotProgress::Table state) {
  states_[pos] = std::move(state);
  relist(pos);
}

SnapshotProgress SnapshotLedger::progress() const {
  SnapshotProgress p;
  p.phase = phase_;
  p.point = point_;
  if (through_) {
    p.through =
        SnapshotProgress::Through{names_[*through_], *through_ + 1, prefix_hash_[*through_]};
  }
  for (size_t pos : listed_) p.tables.emplace(names_[pos], states_[pos]);
  return p;
}

}  // namespace cdc
