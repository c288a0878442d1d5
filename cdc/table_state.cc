#include "cdc/table_state.h"

#include <simdjson.h>

#include <algorithm>
#include <map>
#include <set>

#include "cdc/error.h"

namespace cdc {
namespace {

namespace od = simdjson::ondemand;

constexpr uint64_t kProgressEvery = 8192;

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// The transaction an event id belongs to: the id without its ":<index>".
std::string_view TransactionOf(std::string_view event_id) {
  auto colon = event_id.rfind(':');
  return colon == std::string_view::npos ? event_id : event_id.substr(0, colon);
}

std::optional<std::string_view> EventId(const Record& r) {
  for (const Header& h : r.headers) {
    if (h.name == "cdcd.event_id") return std::string_view(h.value);
  }
  return std::nullopt;
}

void CsvField(std::string_view text, std::string& out) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(text);
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

// Key order for output: runs of digits compare as numbers ({"id":9} before
// {"id":10}), everything else byte by byte.
bool NaturalLess(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      size_t ei = i, ej = j;
      while (ei < a.size() && digit(a[ei])) ++ei;
      while (ej < b.size() && digit(b[ej])) ++ej;
      size_t si = i, sj = j;  // skip leading zeros
      while (si + 1 < ei && a[si] == '0') ++si;
      while (sj + 1 < ej && b[sj] == '0') ++sj;
      if (ei - si != ej - sj) return ei - si < ej - sj;
      if (int c = a.substr(si, ei - si).compare(b.substr(sj, ej - sj))) return c < 0;
      i = ei, j = ej;
      continue;
    }
    if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
    ++i, ++j;
  }
  return a.size() - i < b.size() - j || (a.size() - i == b.size() - j && a < b);
}

}  // namespace

// Visits the fields of row JSON texts: name, raw value text, and the value
// itself for strings (unescaped).
struct TableState::Parser {
  od::parser parser;
  std::string buf;

  template <typename F>
  void each_field(std::string_view row, F&& f) {
    buf.assign(row);
    buf.append(simdjson::SIMDJSON_PADDING, ' ');
    od::document doc;
    od::object o;
    if (parser.iterate(buf.data(), row.size(), buf.size()).get(doc) || doc.get_object().get(o)) {
      throw Error("state: a row is not a JSON object: " + std::string(row.substr(0, 200)));
    }
    for (auto field : o) {
      std::string_view name;
      od::value v;
      od::json_type type;
      if (field.unescaped_key().get(name) || field.value().get(v) || v.type().get(type)) {
        throw Error("state: a row is not valid JSON: " + std::string(row.substr(0, 200)));
      }
      std::string key(name);  // the value's parsing may reuse the string buffer
      std::string_view raw, text;
      bool is_string = false;
      simdjson::error_code err = simdjson::SUCCESS;
      if (type == od::json_type::object) {
        od::object obj;
        err = v.get_object().get(obj);
        if (!err) err = obj.raw_json().get(raw);
      } else if (type == od::json_type::array) {
        od::array arr;
        err = v.get_array().get(arr);
        if (!err) err = arr.raw_json().get(raw);
      } else {
        raw = TrimRight(v.raw_json_token());
        if (type == od::json_type::string) is_string = !(err = v.get_string().get(text));
      }
      if (err) throw Error("state: a row is not valid JSON: " + std::string(row.substr(0, 200)));
      f(key, raw, type == od::json_type::null, is_string ? std::optional(text) : std::nullopt);
    }
  }
};

TableState::TableState() : parser_(std::make_unique<Parser>()) {}
TableState::~TableState() = default;
TableState::TableState(TableState&&) noexcept = default;
TableState& TableState::operator=(TableState&&) noexcept = default;

const std::string* TableState::find(std::string_view key) const {
  auto it = rows_.find(std::string(key));
  return it == rows_.end() ? nullptr : &it->second;
}

std::string TableState::merge_unchanged(const std::string& old_row, std::string_view new_row,
                                        const std::vector<std::string>& columns, bool all_missing) {
  std::set<std::string> present;
  parser_->each_field(new_row, [&](const std::string& name, auto&&...) { present.insert(name); });
  std::string out(new_row.substr(0, new_row.rfind('}')));
  parser_->each_field(old_row, [&](const std::string& name, std::string_view raw, auto&&...) {
    if (present.count(name)) return;
    if (!all_missing && std::find(columns.begin(), columns.end(), name) == columns.end()) return;
    out += out.size() > 1 ? "," : "";
    out += nlohmann::json(name).dump() + ":" + std::string(raw);
  });
  return out + "}";
}

void TableState::apply(const ChangeView& c) {
  if (c.op == 't') {
    rows_.clear();
    return;
  }
  if (!c.key) {
    throw CaptureError("state: table " + c.table +
                       " has changes without a key (no primary key?): its rows cannot be told "
                       "apart, so it has no state to compute");
  }
  std::string key(*c.key);
  if (c.op == 'd') {
    rows_.erase(key);
    return;
  }
  if (c.old_key) {
    // The key changed: the row moves (keeping what the update left out).
    auto old = rows_.find(*c.old_key);
    if (old != rows_.end()) {
      std::string row = std::move(old->second);
      rows_.erase(old);
      rows_[key] = std::move(row);
    }
  }
  auto it = rows_.find(key);
  if (it != rows_.end() && c.op == 'u' && (!c.unchanged.empty() || c.lacks_unchanged)) {
    it->second = merge_unchanged(it->second, c.row, c.unchanged, c.lacks_unchanged);
  } else if (it != rows_.end()) {
    it->second.assign(c.row);
  } else {
    rows_.emplace(std::move(key), std::string(c.row));
  }
}

void TableState::write_jsonl(std::FILE* out) const {
  std::vector<const std::pair<const std::string, std::string>*> sorted;
  sorted.reserve(rows_.size());
  for (const auto& kv : rows_) sorted.push_back(&kv);
  std::sort(sorted.begin(), sorted.end(),
            [](auto* a, auto* b) { return NaturalLess(a->first, b->first); });
  for (const auto* kv : sorted) {
    std::fwrite(kv->second.data(), 1, kv->second.size(), out);
    std::fputc('\n', out);
  }
}

void TableState::write_csv(std::FILE* out) const {
  std::vector<const std::pair<const std::string, std::string>*> sorted;
  sorted.reserve(rows_.size());
  for (const auto& kv : rows_) sorted.push_back(&kv);
  std::sort(sorted.begin(), sorted.end(),
            [](auto* a, auto* b) { return NaturalLess(a->first, b->first); });
  std::vector<std::string> columns;
  std::map<std::string, size_t> index;
  for (const auto* kv : sorted) {
    parser_->each_field(kv->second, [&](const std::string& name, auto&&...) {
      if (index.emplace(name, columns.size()).second) columns.push_back(name);
    });
  }
  std::string line;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i) line += ',';
    CsvField(columns[i], line);
  }
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), out);
  std::vector<std::string> fields(columns.size());
  for (const auto* kv : sorted) {
    std::fill(fields.begin(), fields.end(), std::string());
    parser_->each_field(kv->second, [&](const std::string& name, std::string_view raw, bool null,
                                        std::optional<std::string_view> text) {
      if (!null) fields[index.at(name)] = text ? std::string(*text) : std::string(raw);
    });
    line.clear();
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i) line += ',';
      CsvField(fields[i], line);
    }
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), out);
  }
}

StateResult BuildTableState(CaptureReader& capture, const StateQuery& q,
                            const std::function<void(const CaptureProgress&, uint64_t)>& progress) {
  if (!q.at_event.empty() && !capture.single_order()) {
    throw CaptureError("--at-offset needs one order over the whole capture, and " +
                       capture.describe() +
                       " has several partitions (ordered only each on its own): use --as-of, "
                       "or a file capture");
  }
  StateResult result;
  std::set<std::string> seen_tables;
  EnvelopeReader envelopes(q.toast_placeholder);
  ChangeView view;
  Record r;
  std::optional<std::string> cut_tx;  // at_event: the transaction to end with
  while (capture.next(r)) {
    ++result.records;
    if (progress && result.records % kProgressEvery == 0) {
      progress(capture.progress(), result.records);
    }
    if (!q.at_event.empty()) {
      std::optional<std::string_view> id = EventId(r);
      if (cut_tx && id && TransactionOf(*id) != *cut_tx) break;
      if (!cut_tx && id && (*id == q.at_event || TransactionOf(*id) == q.at_event)) {
        cut_tx = std::string(TransactionOf(*id));
      }
    }
    envelopes.read(r, view);
    if (view.kind != ChangeView::Kind::kChange) continue;
    if (seen_tables.size() < 50) seen_tables.insert(view.table);
    if (!TableNameMatches(view.table, q.table)) continue;
    if (result.table.empty()) {
      result.table = view.table;
    } else if (view.table != result.table) {
      throw CaptureError("--table " + q.table + " is ambiguous in " + capture.describe() +
                         ": it matches " + result.table + " and " + view.table +
                         "; name the table fully");
    }
    if (!view.commit_ts_us) {
      throw Error("state: a change of " + view.table + " in topic " + r.topic +
                  " has no source commit time");
    }
    if (q.as_of_us && *view.commit_ts_us > *q.as_of_us) continue;
    result.state.apply(view);
    ++result.applied;
    result.last_commit_us = view.commit_ts_us;
  }
  if (progress) progress(capture.progress(), result.records);
  if (!q.at_event.empty() && !cut_tx) {
    throw CaptureError("--at-offset " + q.at_event + ": no event or transaction with that id in " +
                       capture.describe() + " (ids are the records' cdcd.event_id headers)");
  }
  if (result.table.empty()) {
    std::string known;
    for (const std::string& t : seen_tables) known += (known.empty() ? "" : ", ") + t;
    throw CaptureError("--table " + q.table + ": " + capture.describe() + " holds no change of " +
                       "that table" + (cut_tx ? " up to " + q.at_event : std::string()) +
                       " (it holds " + (known.empty() ? std::string("no table changes") : known) +
                       ")");
  }
  return result;
}

}  // namespace cdc
