// ConfigNode implementation. Notes on behaviour the header leaves open:
//
//  - Used-key tracking: one set per document, shared by every node made from
//    the same root (copies, children, grandchildren). An entry is
//    "<node path>\0<key>", so a node asked for twice through child() still
//    sees the keys read through the other copy.
//  - A key whose value is null (`key:` or `key: ~`) counts as absent:
//    has() is false, optional getters return their default, and a required
//    getter fails at the key's own line (yaml-cpp gives a null value the
//    position of the *next* token, which would point at the wrong line).
//  - has(), like every getter, marks the key as used: a caller that asks for
//    a key knows it, and `key:` with no value must not be reported unknown.
//  - The public constructor checks the whole tree for duplicate mapping keys,
//    which yaml-cpp 0.7 accepts silently (it keeps both, lookups see the first).
//  - Sizes: B, KB/MB/GB/TB are powers of 1000, KiB/MiB/GiB/TiB powers of 1024
//    (units are case-insensitive, "1.5KiB" is fine when it is whole bytes); a
//    bare number is bytes. Durations: ms, s, m, h; a bare number is ms.
//  - Booleans: YAML 1.1's y/yes/true/on and n/no/false/off in lower, Title or
//    UPPER case.
#include "cdc/config_node.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <mutex>

#include "cdc/error.h"

namespace cdc {
namespace {

// Factories of different pipelines may read their blocks on different
// threads; the used-key sets are the only state they mutate.
std::mutex used_mutex;

int LineOf(const YAML::Mark& mark) {
  return mark.is_null() || mark.line < 0 ? 1 : mark.line + 1;
}

// "FILE:LINE: PATH" (or "FILE:LINE" at the document root).
std::string Where(const std::string& file, const YAML::Mark& mark, const std::string& path) {
  std::string out = file + ":" + std::to_string(LineOf(mark));
  if (!path.empty()) out += ": " + path;
  return out;
}

[[noreturn]] void Throw(const std::string& file, const YAML::Mark& mark, const std::string& path,
                        const std::string& message) {
  throw ConfigError(Where(file, mark, path) + ": " + message);
}

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string Describe(const YAML::Node& node) {
  if (node.IsMap()) return "a mapping";
  if (node.IsSequence()) return "a list";
  if (node.IsScalar()) return Quote(node.Scalar());
  return "nothing (null)";
}

std::string JoinPath(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string Join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : sep) + item;
  return out;
}

// Fails on duplicate or non-string keys anywhere below `node`. Nodes reached
// again through an alias share the anchor's position and are checked once.
void CheckKeys(const YAML::Node& node, const std::string& file, const std::string& path,
               std::set<std::pair<int, int>>& seen) {
  if (!node.IsMap() && !node.IsSequence()) return;
  if (!seen.insert({node.Mark().line, node.Mark().column}).second) return;
  if (node.IsSequence()) {
    size_t i = 0;
    for (const auto& item : node)
      CheckKeys(item, file, path + "[" + std::to_string(i++) + "]", seen);
    return;
  }
  std::map<std::string, int> first_line;
  for (const auto& entry : node) {
    const YAML::Node& key = entry.first;
    if (!key.IsScalar()) Throw(file, key.Mark(), path, "mapping keys must be plain strings");
    auto [it, fresh] = first_line.emplace(key.Scalar(), LineOf(key.Mark()));
    if (!fresh) {
      Throw(file, key.Mark(), path,
            "duplicate key '" + key.Scalar() + "' (first at line " + std::to_string(it->second) +
                ")");
    }
    CheckKeys(entry.second, file, JoinPath(path, key.Scalar()), seen);
  }
}

struct Entry {
  YAML::Node key;
  YAML::Node value;
};

std::optional<Entry> FindEntry(const YAML::Node& map, const std::string& key) {
  if (!map.IsMap()) return std::nullopt;
  for (const auto& entry : map) {
    if (entry.first.IsScalar() && entry.first.Scalar() == key)
      return Entry{entry.first, entry.second};
  }
  return std::nullopt;
}

std::string UsedEntry(const std::string& path, const std::string& key) {
  return path + '\0' + key;
}

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string UnknownKeyMessage(const std::string& key, const std::set<std::string>& known) {
  std::string best;
  size_t best_distance = 3;  // suggest only within an edit distance of 2
  for (const auto& k : known) {
    size_t d = EditDistance(key, k);
    if (d < best_distance && d < key.size()) {
      best = k;
      best_distance = d;
    }
  }
  std::string message = "unknown key '" + key + "'";
  if (!best.empty()) message += ", did you mean '" + best + "'?";
  if (!known.empty()) {
    message +=
        " (known here: " + Join(std::vector<std::string>(known.begin(), known.end()), ", ") + ")";
  }
  return message;
}

// The scalar text of `node`, failing with "expected <what>, got ..." for a
// mapping or a list.
std::string ScalarFor(const ConfigNode& node, const std::string& what) {
  if (node.is_map()) node.fail("expected " + what + ", got a mapping");
  if (node.is_sequence()) node.fail("expected " + what + ", got a list");
  return node.scalar();
}

int64_t ParseInt(const ConfigNode& node) {
  std::string text = ScalarFor(node, "an integer");
  const char* begin = text.data() + (text.size() > 1 && text[0] == '+' ? 1 : 0);
  const char* end = text.data() + text.size();
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec == std::errc::result_out_of_range) node.fail("integer out of range: " + Quote(text));
  if (ec != std::errc() || ptr != end) node.fail("expected an integer, got " + Quote(text));
  return value;
}

double ParseDouble(const ConfigNode& node) {
  std::string text = ScalarFor(node, "a number");
  const char* begin = text.data() + (text.size() > 1 && text[0] == '+' ? 1 : 0);
  const char* end = text.data() + text.size();
  double value = 0;
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end || !std::isfinite(value)) {
    node.fail("expected a number, got " + Quote(text));
  }
  return value;
}

bool ParseBool(const ConfigNode& node) {
  static const std::set<std::string> kTrue = {"y",    "Y",    "yes", "Yes", "YES", "true",
                                              "True", "TRUE", "on",  "On",  "ON"};
  static const std::set<std::string> kFalse = {"n",     "N",     "no",  "No",  "NO", "false",
                                               "False", "FALSE", "off", "Off", "OFF"};
  const std::string what = "a boolean (true/false, yes/no, on/off)";
  std::string text = ScalarFor(node, what);
  if (kTrue.count(text)) return true;
  if (kFalse.count(text)) return false;
  node.fail("expected " + what + ", got " + Quote(text));
}

// A number with an optional unit, e.g. "64MiB", "1.5s", "100".
struct QuantityKind {
  std::string expected;                                 // "a size like 64MiB, 10MB or 4096"
  std::string base_unit;                                // "bytes"
  std::string unit_help;                                // listed when the unit is unknown
  std::vector<std::pair<std::string, uint64_t>> units;  // name -> factor; "" is the bare number
};

const QuantityKind& SizeKind() {
  static const QuantityKind kind{
      "a size like 64MiB, 10MB or 4096",
      "bytes",
      "B, KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024)",
      {{"", 1},
       {"b", 1},
       {"kb", 1000},
       {"mb", 1000'000},
       {"gb", 1000'000'000},
       {"tb", 1000'000'000'000},
       {"kib", 1ull << 10},
       {"mib", 1ull << 20},
       {"gib", 1ull << 30},
       {"tib", 1ull << 40}}};
  return kind;
}

const QuantityKind& DurationKind() {
  static const QuantityKind kind{
      "a duration like 250ms, 5s, 2m or 1h",
      "milliseconds",
      "ms, s, m, h",
      {{"", 1}, {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}}};
  return kind;
}

std::optional<uint64_t> UnitFactor(const QuantityKind& kind, std::string unit) {
  std::transform(unit.begin(), unit.end(), unit.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const auto& [name, factor] : kind.units) {
    if (name == unit) return factor;
  }
  return std::nullopt;
}

uint64_t ParseQuantity(const ConfigNode& node, const QuantityKind& kind) {
  const std::string text = ScalarFor(node, kind.expected);
  const std::string bad = "expected " + kind.expected + ", got " + Quote(text);
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  size_t i = 0;
  while (i < text.size() && is_digit(text[i])) ++i;
  const size_t int_end = i;
  std::string fraction;
  if (i < text.size() && text[i] == '.') {
    while (++i < text.size() && is_digit(text[i])) fraction += text[i];
    if (fraction.empty()) node.fail(bad);
  }
  if (int_end == 0) node.fail(bad);
  while (i < text.size() && text[i] == ' ') ++i;
  const std::string unit = text.substr(i);
  if (!std::all_of(unit.begin(), unit.end(), [](unsigned char c) { return std::isalpha(c); })) {
    node.fail(bad);
  }
  std::optional<uint64_t> factor = UnitFactor(kind, unit);
  if (!factor) {
    node.fail("unknown unit '" + unit + "' in " + Quote(text) + " (use " + kind.unit_help + ")");
  }
  const std::string too_large = Quote(text) + " is too large";
  uint64_t whole = 0, value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + int_end, whole);
  if (ec != std::errc() || __builtin_mul_overflow(whole, *factor, &value)) node.fail(too_large);
  if (!fraction.empty()) {
    long double part = std::stold("0." + fraction) * static_cast<long double>(*factor);
    long double rounded = std::round(part);
    if (std::fabs(part - rounded) > 1e-6L) {
      node.fail(Quote(text) + " is not a whole number of " + kind.base_unit);
    }
    if (__builtin_add_overflow(value, static_cast<uint64_t>(rounded), &value)) node.fail(too_large);
  }
  return value;
}

}  // namespace

// ---------------------------------------------------------------------------
// Construction and position

ConfigNode::ConfigNode(YAML::Node node, std::string file, std::string path)
    : ConfigNode(std::move(node), std::make_shared<const std::string>(std::move(file)),
                 std::move(path), std::make_shared<std::set<std::string>>()) {
  std::set<std::pair<int, int>> seen;
  CheckKeys(node_, *file_, path_, seen);
}

ConfigNode::ConfigNode(YAML::Node node, std::shared_ptr<const std::string> file, std::string path,
                       std::shared_ptr<std::set<std::string>> used)
    : node_(std::move(node)),
      file_(std::move(file)),
      path_(std::move(path)),
      used_(std::move(used)) {}

ConfigNode ConfigNode::make_child(const YAML::Node& node, const std::string& child_path) const {
  return ConfigNode(node, file_, child_path, used_);
}

std::string ConfigNode::key_path(const std::string& key) const {
  return JoinPath(path_, key);
}

std::string ConfigNode::where() const {
  return *file_ + ":" + std::to_string(LineOf(node_.Mark()));
}

void ConfigNode::fail(const std::string& message) const {
  Throw(*file_, node_.Mark(), path_, message);
}

bool ConfigNode::is_map() const {
  return node_.IsMap();
}
bool ConfigNode::is_sequence() const {
  return node_.IsSequence();
}

// ---------------------------------------------------------------------------
// Navigation

void ConfigNode::mark_used(const std::string& key) const {
  std::lock_guard lock(used_mutex);
  used_->insert(UsedEntry(path_, key));
}

std::optional<ConfigNode> ConfigNode::lookup(const std::string& key) const {
  mark_used(key);
  if (!node_.IsMap() && !node_.IsNull()) {
    fail("expected a mapping with key '" + key + "', got " + Describe(node_));
  }
  std::optional<Entry> entry = FindEntry(node_, key);
  if (!entry || entry->value.IsNull()) return std::nullopt;
  return make_child(entry->value, key_path(key));
}

bool ConfigNode::has(const std::string& key) const {
  return lookup(key).has_value();
}

ConfigNode ConfigNode::child(const std::string& key) const {
  if (std::optional<ConfigNode> found = lookup(key)) return *found;
  if (std::optional<Entry> entry = FindEntry(node_, key)) {
    Throw(*file_, entry->key.Mark(), key_path(key), "missing value");
  }
  fail("missing required key '" + key + "'");
}

std::optional<ConfigNode> ConfigNode::optional_child(const std::string& key) const {
  return lookup(key);
}

std::vector<ConfigNode> ConfigNode::items() const {
  if (!node_.IsSequence()) fail("expected a list, got " + Describe(node_));
  std::vector<ConfigNode> out;
  for (const auto& item : node_) {
    out.push_back(make_child(item, path_ + "[" + std::to_string(out.size()) + "]"));
  }
  return out;
}

std::vector<std::pair<std::string, ConfigNode>> ConfigNode::entries() const {
  if (node_.IsNull()) return {};
  if (!node_.IsMap()) fail("expected a mapping, got " + Describe(node_));
  std::vector<std::pair<std::string, ConfigNode>> out;
  for (const auto& entry : node_) {
    const std::string key = entry.first.Scalar();
    mark_used(key);
    out.emplace_back(key, make_child(entry.second, key_path(key)));
  }
  return out;
}

void ConfigNode::reject_unknown_keys() const {
  if (node_.IsNull()) return;
  if (!node_.IsMap()) fail("expected a mapping, got " + Describe(node_));
  std::set<std::string> known;
  {
    std::lock_guard lock(used_mutex);
    const std::string prefix = UsedEntry(path_, "");
    for (auto it = used_->lower_bound(prefix); it != used_->end() && it->starts_with(prefix);
         ++it) {
      known.insert(it->substr(prefix.size()));
    }
  }
  for (const auto& entry : node_) {
    const std::string key = entry.first.Scalar();
    if (!known.count(key)) Throw(*file_, entry.first.Mark(), path_, UnknownKeyMessage(key, known));
  }
}

std::vector<std::string> ConfigNode::looked_up_keys() const {
  std::lock_guard lock(used_mutex);
  std::vector<std::string> out;
  for (const std::string& entry : *used_) {
    const size_t sep = entry.find('\0');
    const std::string path = entry.substr(0, sep);
    out.push_back(path.empty() ? entry.substr(sep + 1) : path + "." + entry.substr(sep + 1));
  }
  return out;
}

// ---------------------------------------------------------------------------
// Typed getters

std::string ConfigNode::scalar() const {
  if (!node_.IsScalar()) fail("expected a single value, got " + Describe(node_));
  return ExpandEnv(node_.Scalar(), Where(*file_, node_.Mark(), path_));
}

namespace {

// Flow-style YAML of `node`, scalars expanded and quoted, so that no two
// different contents print alike.
void AppendCanonical(const YAML::Node& node, const std::string& where, std::string& out) {
  if (node.IsMap()) {
    out += '{';
    for (const auto& entry : node) {
      AppendCanonical(entry.first, where, out);
      out += ':';
      AppendCanonical(entry.second, where, out);
      out += ',';
    }
    out += '}';
  } else if (node.IsSequence()) {
    out += '[';
    for (const auto& item : node) {
      AppendCanonical(item, where, out);
      out += ',';
    }
    out += ']';
  } else if (node.IsScalar()) {
    // A variable that is not set makes an error only where the value is
    // read; here the text stands as written, marked so it differs from any
    // expansion.
    std::string text;
    try {
      text = ExpandEnv(node.Scalar(), where);
    } catch (const ConfigError&) {
      text = "\x01" + node.Scalar();
    }
    out += '"';
    for (char c : text) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  } else {
    out += '~';
  }
}

}  // namespace

std::string ConfigNode::canonical() const {
  std::string out;
  AppendCanonical(node_, where(), out);
  return out;
}

std::string ConfigNode::get_string(const std::string& key) const {
  return ScalarFor(child(key), "a string");
}

std::string ConfigNode::get_string(const std::string& key, const std::string& dflt) const {
  std::optional<ConfigNode> c = lookup(key);
  return c ? ScalarFor(*c, "a string") : dflt;
}

std::string ConfigNode::get_secret(const std::string& key, const std::string& dflt) const {
  const std::optional<ConfigNode> direct = lookup(key);
  const std::optional<ConfigNode> file = lookup(key + "_file");
  if (direct && file) file->fail("give " + key + " or " + key + "_file, not both");
  if (!file) return direct ? ScalarFor(*direct, "a string") : dflt;
  const std::string path = ScalarFor(*file, "a file name");
  std::ifstream in(path, std::ios::binary);
  if (!in) file->fail("cannot read " + path + ": " + std::strerror(errno));
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (content.ends_with("\r\n")) {
    content.resize(content.size() - 2);
  } else if (content.ends_with('\n')) {
    content.pop_back();
  }
  if (content.empty()) file->fail(path + " is empty");
  return content;
}

int64_t ConfigNode::get_int(const std::string& key) const {
  return ParseInt(child(key));
}

int64_t ConfigNode::get_int(const std::string& key, int64_t dflt) const {
  std::optional<ConfigNode> c = lookup(key);
  return c ? ParseInt(*c) : dflt;
}

double ConfigNode::get_double(const std::string& key, double dflt) const {
  std::optional<ConfigNode> c = lookup(key);
  return c ? ParseDouble(*c) : dflt;
}

bool ConfigNode::get_bool(const std::string& key, bool dflt) const {
  std::optional<ConfigNode> c = lookup(key);
  return c ? ParseBool(*c) : dflt;
}

std::chrono::milliseconds ConfigNode::get_duration(const std::string& key,
                                                   std::chrono::milliseconds dflt) const {
  std::optional<ConfigNode> c = lookup(key);
  if (!c) return dflt;
  uint64_t ms = ParseQuantity(*c, DurationKind());
  if (ms > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    c->fail("duration is too long");
  return std::chrono::milliseconds(static_cast<int64_t>(ms));
}

uint64_t ConfigNode::get_size(const std::string& key, uint64_t dflt) const {
  std::optional<ConfigNode> c = lookup(key);
  return c ? ParseQuantity(*c, SizeKind()) : dflt;
}

std::vector<std::string> ConfigNode::get_string_list(const std::string& key,
                                                     std::vector<std::string> dflt) const {
  std::optional<ConfigNode> c = lookup(key);
  if (!c) return dflt;
  if (c->is_map()) c->fail("expected a list of strings, got a mapping");
  if (!c->is_sequence()) return {c->scalar()};
  std::vector<std::string> out;
  for (const ConfigNode& item : c->items()) out.push_back(ScalarFor(item, "a string"));
  return out;
}

std::map<std::string, std::string> ConfigNode::get_string_map(const std::string& key) const {
  ConfigNode c = child(key);
  if (!c.is_map()) c.fail("expected a mapping of names to values, got " + Describe(c.node_));
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : c.entries()) out[name] = ScalarFor(value, "a single value");
  return out;
}

std::string ConfigNode::get_choice(const std::string& key, const std::vector<std::string>& allowed,
                                   const std::string& dflt) const {
  std::optional<ConfigNode> c = lookup(key);
  if (!c) return dflt;
  const std::string expected = "one of " + Join(allowed, ", ");
  std::string value = ScalarFor(*c, expected);
  if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
    c->fail("expected " + expected + "; got " + Quote(value));
  }
  return value;
}

// ---------------------------------------------------------------------------
// Environment references

namespace {

bool IsVarName(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}

// Resolves the body of one ${...} reference.
std::string ResolveReference(const std::string& body, const std::string& where) {
  const size_t sep = body.find(":-");
  const std::string name = body.substr(0, sep);
  if (!IsVarName(name)) {
    throw ConfigError(where + ": invalid environment variable name in '${" + body + "}'");
  }
  const char* value = std::getenv(name.c_str());
  if (sep == std::string::npos) {
    if (!value) throw ConfigError(where + ": environment variable '" + name + "' is not set");
    return value;
  }
  // As in the shell, ":-" also replaces a variable that is set but empty.
  if (value && *value) return value;
  return body.substr(sep + 2);
}

}  // namespace

std::string ExpandEnv(const std::string& text, const std::string& where) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const char next = i + 1 < text.size() ? text[i + 1] : '\0';
    if (text[i] != '$' || (next != '$' && next != '{')) {
      out += text[i];  // a '$' not followed by '$' or '{' is literal
    } else if (next == '$') {
      out += '$';
      ++i;
    } else {
      const size_t close = text.find('}', i + 2);
      const std::string body = text.substr(i + 2, close - i - 2);
      if (close == std::string::npos) {
        throw ConfigError(where + ": unterminated '${' in " + Quote(text) +
                          " (write '$$' for a literal '$')");
      }
      if (body.find("${") != std::string::npos) {
        throw ConfigError(where + ": nested '${' in " + Quote(text) + " is not supported");
      }
      out += ResolveReference(body, where);
      i = close;
    }
  }
  return out;
}

}  // namespace cdc
