// Zendesk Maxwell's end-to-end binlog oracles (sql/json/test_*, Apache-2.0,
// see tests/fixtures/maxwell/README.md) replayed against MariaDB through the
// live MySqlSource. Each file's SQL runs in a TestSchema database of its own
// (its database names rewritten); every expected `->` row event must appear
// among cdcd's events once mapped to Maxwell's conventions
// (ToMaxwell below). Files and fields cdcd cannot produce are skipped
// with the reason printed.
#include <gtest/gtest.h>

#include <charconv>
#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "cdc/civil_date.h"
#include "sources/mysql/mysql_source.h"
#include "tests/sources/mysql/mysql_test_env.h"
#include "tests/support/source_runner.h"

namespace cdc::mysql {
namespace {

using namespace std::chrono_literals;
using ::cdc::testing::RunningSource;
using ::cdc::testing::WatchedEmitter;
using nlohmann::json;
using testing::SourceOptions;
using testing::TestSchema;
namespace fs = std::filesystem;

constexpr const char* kMarker = "zz_maxwell_end";

// The repository's copy first, then the shared fixture tree next to it.
std::optional<fs::path> FixtureFile(const std::string& name) {
  for (const char* root : {"tests/fixtures/maxwell", "../shared/fixtures/maxwell"}) {
    fs::path p = ::cdc::testing::SourcePath(root) / "sql" / "json" / name;
    if (fs::exists(p)) return p;
  }
  return std::nullopt;
}

// ---- the fixture format ----------------------------------------------------

// Maxwell's lenient JSON (Jackson ALLOW_UNQUOTED_FIELD_NAMES) to JSON:
// quotes identifiers used as object keys.
std::string QuoteKeys(const std::string& in) {
  std::string out;
  bool in_string = false;
  char last = 0;  // last significant character outside strings
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < in.size())
        out += in[++i];
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    if ((std::isalpha(static_cast<unsigned char>(c)) || c == '_') && (last == '{' || last == ',')) {
      size_t j = i;
      while (j < in.size() && (std::isalnum(static_cast<unsigned char>(in[j])) || in[j] == '_'))
        ++j;
      out += '"' + in.substr(i, j - i) + '"';
      i = j - 1;
      last = '"';
      continue;
    }
    out += c;
    if (!std::isspace(static_cast<unsigned char>(c))) last = c;
  }
  return out;
}

struct Step {
  std::string sql;          // a statement, or
  std::optional<json> row;  // an expected row event
  int line = 0;
};

// SQL lines and `->` expectations (which may span lines until their braces
// balance); '#' lines are comments.
std::vector<Step> ParseFixture(const fs::path& path) {
  std::ifstream in(path);
  std::vector<Step> steps;
  std::string line, pending;
  int depth = 0, line_no = 0, start = 0;
  while (std::getline(in, line)) {
    ++line_no;
    std::string t = std::regex_replace(line, std::regex("^\\s+|\\s+$"), "");
    if (!pending.empty()) {
      pending += "\n" + t;
    } else if (t.rfind("->", 0) == 0) {
      pending = t.substr(2);
      start = line_no;
    } else {
      if (t.empty() || t[0] == '#') continue;
      while (!t.empty() && t.back() == ';') t.pop_back();
      steps.push_back({t, std::nullopt, line_no});
      continue;
    }
    depth = 0;
    for (char c : pending) depth += c == '{' ? 1 : c == '}' ? -1 : 0;
    if (depth == 0) {
      steps.push_back({"", json::parse(QuoteKeys(pending)), start});
      pending.clear();
    }
  }
  return steps;
}

// ---- database renaming ------------------------------------------------------

struct Rewriter {
  std::set<std::string> names;  // the file's database names
  std::string target;

  static std::optional<std::pair<std::string, std::string>> CreateDatabase(const std::string& s) {
    static const std::regex re("^create\\s+database\\s+(if\\s+not\\s+exists\\s+)?`?(\\w+)`?(.*)$",
                               std::regex::icase);
    std::smatch m;
    if (!std::regex_match(s, m, re)) return std::nullopt;
    return std::make_pair(m[2].str(), m[3].str());
  }
  static std::optional<std::string> Use(const std::string& s) {
    static const std::regex re("^use\\s+`?(\\w+)`?$", std::regex::icase);
    std::smatch m;
    if (!std::regex_match(s, m, re)) return std::nullopt;
    return m[1].str();
  }
  void learn(const std::vector<Step>& steps) {
    for (const Step& s : steps) {
      if (auto c = CreateDatabase(s.sql)) names.insert(c->first);
      if (auto u = Use(s.sql)) names.insert(*u);
    }
  }
  // The statement to run instead of `s`, or "" to drop it.
  std::string sql(const std::string& s) const {
    static const std::regex drop_db("^drop\\s+database.*$", std::regex::icase);
    if (Use(s) || std::regex_match(s, drop_db)) return "";
    if (auto c = CreateDatabase(s)) {
      // The TestSchema exists already; keep its options (default charset).
      return std::regex_replace(c->second, std::regex("^\\s+"), "").empty()
                 ? ""
                 : "ALTER DATABASE " + target + c->second;
    }
    std::string out = s;
    for (const std::string& n : names) {
      out = std::regex_replace(out, std::regex("`?\\b" + n + "\\b`?"), target);
    }
    return out;
  }
  std::string database(const std::string& name) const { return names.count(name) ? target : name; }
};

// ---- cdcd Values in Maxwell's conventions -----------------------------------

std::string Pad(int64_t v, int width) {
  std::string s = std::to_string(v);
  return std::string(s.size() < static_cast<size_t>(width) ? width - s.size() : 0, '0') + s;
}

std::string Fraction(int64_t micros, int precision) {
  if (precision <= 0) return "";
  return "." + Pad(micros, 6).substr(0, precision);
}

std::string DateText(int64_t days) {
  const cdc::CivilDate c = cdc::CivilFromDays(days);
  return Pad(c.year, 4) + "-" + Pad(c.month, 2) + "-" + Pad(c.day, 2);
}

std::string DateTimeText(int64_t micros, int precision) {
  const int64_t day = 86400000000LL;
  int64_t days = micros >= 0 ? micros / day : -((-micros + day - 1) / day);
  int64_t rest = micros - days * day;
  int64_t secs = rest / 1000000;
  return DateText(days) + " " + Pad(secs / 3600, 2) + ":" + Pad(secs / 60 % 60, 2) + ":" +
         Pad(secs % 60, 2) + Fraction(rest % 1000000, precision);
}

std::string TimeText(int64_t micros, int precision) {
  std::string sign = micros < 0 ? "-" : "";
  if (micros < 0) micros = -micros;
  int64_t secs = micros / 1000000;
  return sign + Pad(secs / 3600, 2) + ":" + Pad(secs / 60 % 60, 2) + ":" + Pad(secs % 60, 2) +
         Fraction(micros % 1000000, precision);
}

std::string Base64(const std::string& in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t n = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<uint8_t>(in[i + 1]) << 8;
    if (i + 2 < in.size()) n |= static_cast<uint8_t>(in[i + 2]);
    out += k[n >> 18 & 63];
    out += k[n >> 12 & 63];
    out += i + 1 < in.size() ? k[n >> 6 & 63] : '=';
    out += i + 2 < in.size() ? k[n & 63] : '=';
  }
  return out;
}

// WKB (as cdcd delivers GEOMETRY) to WKT as Maxwell (JTS) writes it:
// "POINT (3 2)", "GEOMETRYCOLLECTION (POINT (1 1), LINESTRING (0 1, 1 2))".
class WkbReader {
 public:
  explicit WkbReader(const std::string& wkb) : b_(wkb) {}
  std::string geometry() {
    little_ = u8() == 1;
    const uint32_t type = u32();
    static const char* const kNames[] = {
        "",           "POINT",           "LINESTRING",   "POLYGON",
        "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION"};
    if (type < 1 || type > 7) throw std::runtime_error("WKB type " + std::to_string(type));
    std::string name = kNames[type];
    switch (type) {
      case 1:
        return name + " (" + point() + ")";
      case 2:
        return name + " " + points();
      case 3:
        return name + " " + list([this] { return points(); });
      default:  // collections of whole geometries, each with its own header
        return name + " " + list([this, type] {
                 std::string g = geometry();
                 // MULTI* members are written without their type name.
                 return type == 7 ? g : g.substr(g.find(' ') + 1);
               });
    }
  }

 private:
  template <typename F>
  std::string list(F item) {
    uint32_t n = u32();
    std::string out = "(";
    for (uint32_t i = 0; i < n; ++i) out += (i ? ", " : "") + item();
    return out + ")";
  }
  std::string points() {
    return list([this] { return point(); });
  }
  std::string point() {
    std::string x = number(), y = number();
    return x + " " + y;
  }
  std::string number() {
    uint64_t bits = read(8);
    double d;
    std::memcpy(&d, &bits, 8);
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, d);
    return std::string(buf, r.ptr);
  }
  uint8_t u8() { return static_cast<uint8_t>(read(1)); }
  uint32_t u32() { return static_cast<uint32_t>(read(4)); }
  uint64_t read(size_t n) {
    if (pos_ + n > b_.size()) throw std::runtime_error("truncated WKB");
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) {
      uint64_t byte = static_cast<uint8_t>(b_[pos_ + (little_ ? i : n - 1 - i)]);
      v |= byte << (8 * i);
    }
    pos_ += n;
    return v;
  }
  const std::string& b_;
  size_t pos_ = 0;
  bool little_ = true;
};

bool IsTemporal(ColumnType t) {
  return t == ColumnType::kDate || t == ColumnType::kTimestamp || t == ColumnType::kTimestampTz;
}

// Maxwell writes every invalid date (zero month or day) as the zero date.
std::string ZeroDateText(const std::string& text) {
  std::string out = text;
  for (char& c : out) {
    if (std::isdigit(static_cast<unsigned char>(c))) c = '0';
  }
  return out;
}

json ToMaxwell(const Value& v, const Column& col, bool json_alias) {
  const int precision = col.precision.value_or(0);
  if (v.is_null()) return nullptr;
  if (v.is<int64_t>()) return v.as<int64_t>();
  if (v.is<uint64_t>()) return v.as<uint64_t>();
  if (v.is<double>()) {
    if (col.type != ColumnType::kFloat32) return v.as<double>();
    // Maxwell prints a FLOAT with the float's shortest digits.
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, static_cast<float>(v.as<double>()));
    return json::parse(std::string(buf, r.ptr));
  }
  if (v.is<Decimal>()) return json::parse(v.as<Decimal>().text);
  if (v.is<Json>()) return json::parse(v.as<Json>().text);
  if (v.is<Date>()) return DateText(v.as<Date>().days);
  if (v.is<Timestamp>()) return DateTimeText(v.as<Timestamp>().micros, precision);
  if (v.is<TimestampTz>()) return DateTimeText(v.as<TimestampTz>().micros, precision);
  if (v.is<Time>()) return TimeText(v.as<Time>().micros, precision);
  if (v.is<Bytes>()) {
    std::string b = v.as<Bytes>().data;
    if (col.type == ColumnType::kBits) {
      uint64_t n = 0;
      for (size_t i = 0; i < b.size() && i < 8; ++i)
        n |= uint64_t{static_cast<uint8_t>(b[i])} << (8 * i);
      return n;
    }
    if (col.type == ColumnType::kGeometry) return WkbReader(b.substr(4)).geometry();  // SRID first
    // Maxwell passes the binlog's bytes on, where a BINARY(n) has lost its
    // trailing 0x00 padding.
    if (col.source_type.rfind("binary(", 0) == 0) {
      while (!b.empty() && b.back() == '\0') b.pop_back();
    }
    return Base64(b);
  }
  if (v.is<std::string>()) {
    const std::string& s = v.as<std::string>();
    if (col.type == ColumnType::kSet) {
      json items = json::array();
      std::stringstream in(s);
      for (std::string item; std::getline(in, item, ',');) items.push_back(item);
      return items;
    }
    if (IsTemporal(col.type)) return ZeroDateText(s);  // zero_dates: string
    if (json_alias) return json::parse(s);
    return s;
  }
  throw std::runtime_error("no Maxwell mapping for " + v.debug_string());
}

// (table, column) pairs of MariaDB JSON columns: LONGTEXT with a
// json_valid() CHECK named after the column. The binlog cannot tell them
// from text; Maxwell (on MySQL) nests their documents.
std::set<std::pair<std::string, std::string>> JsonAliases(const MySqlConnectOptions& server,
                                                          const std::string& db) {
  MySqlConnection c(server, "json aliases");
  MySqlResult r = c.query(
      "SELECT TABLE_NAME, CONSTRAINT_NAME FROM information_schema.CHECK_CONSTRAINTS WHERE "
      "CONSTRAINT_SCHEMA = " +
          c.quote(db) + " AND CHECK_CLAUSE = CONCAT('json_valid(`', CONSTRAINT_NAME, '`)')",
      "json aliases");
  std::set<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < r.size(); ++i) out.insert({r.get(i, 0), r.get(i, 1)});
  return out;
}

json MaxwellEvent(const ChangeEvent& ev,
                  const std::set<std::pair<std::string, std::string>>& aliases) {
  const TableSchema& s = *ev.schema;
  auto image = [&](const cdc::Row& row, const cdc::Row* other) {
    json out = json::object();
    for (size_t i = 0; i < s.columns().size(); ++i) {
      if (other && row.values[i] == other->values[i]) continue;
      const Column& col = s.columns()[i];
      out[col.name] = ToMaxwell(row.values[i], col, aliases.count({s.id().table, col.name}) > 0);
    }
    return out;
  };
  json out = {{"database", s.id().database}, {"table", s.id().table}};
  if (ev.op == Op::kDelete) {
    out["type"] = "delete";
    out["data"] = image(*ev.before, nullptr);
  } else {
    out["type"] = ev.op == Op::kUpdate ? "update" : "insert";
    out["data"] = image(*ev.after, nullptr);
    if (ev.op == Op::kUpdate) out["old"] = image(*ev.before, &*ev.after);
  }
  return out;
}

// ---- the suite ----------------------------------------------------------------

struct Case {
  std::string file;
  std::string skip;  // why the whole file cannot be replayed, or ""
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.file;
}

const std::vector<Case>& Cases() {
  static const std::vector<Case> cases = {
      {"test_1j", ""},
      {"test_bignum", ""},
      {"test_bit", ""},
      {"test_blob", ""},
      {"test_case_insensitive",
       "expects Maxwell's case-folded column names (ID reported as id); cdcd reports names as "
       "declared, which test_column_case checks"},
      {"test_charsets", ""},
      {"test_column_case", ""},
      {"test_create_like", ""},
      {"test_create_select", ""},
      {"test_enum", ""},
      {"test_gis", ""},
      {"test_invalid_time", ""},
      {"test_javascript_filters", "output of Maxwell's JavaScript filter feature"},
      {"test_javascript_filters_rich_values", "output of Maxwell's JavaScript filter feature"},
      {"test_json", ""},
      {"test_latin1", ""},
      {"test_minimal",
       "needs binlog_row_image=MINIMAL (partial row images); cdcd refuses to start without FULL"},
      {"test_row_query_log_is_on", ""},
      {"test_set", ""},
      {"test_time", ""},
      {"test_ucs2", ""},
      {"test_zero_created_at", ""},
  };
  return cases;
}

class MaxwellSuiteTest : public ::testing::TestWithParam<Case> {};

TEST_P(MaxwellSuiteTest, ExpectedRowEventsAppear) {
  const Case& c = GetParam();
  std::optional<fs::path> path = FixtureFile(c.file);
  if (!path) GTEST_SKIP() << "Maxwell fixture " << c.file << " not found";
  if (!c.skip.empty()) {
    std::cout << "[maxwell] " << c.file << ": skipped: " << c.skip << "\n";
    GTEST_SKIP() << c.skip;
  }
  CDCD_MYSQL_SERVER_OR_SKIP(server);
  TestSchema db(server, "maxwell");
  std::vector<Step> steps = ParseFixture(*path);
  Rewriter rw;
  rw.learn(steps);
  rw.target = db.name();
  db.sql(std::string("CREATE TABLE ") + kMarker + " (id INT PRIMARY KEY)");
  Offset from = db.here();
  {
    MySqlConnection session(server, "maxwell session");
    session.query("USE " + db.name(), "USE");
    // `set global time_zone` would change the shared server for every test:
    // the session zone does the same for this file's statements.
    session.query("SET time_zone = '+00:00'", "time_zone");
    for (const Step& s : steps) {
      if (s.row) continue;
      if (std::regex_search(s.sql, std::regex("^set\\s+global\\s+time_zone", std::regex::icase))) {
        continue;
      }
      const std::string sql = rw.sql(s.sql);
      if (!sql.empty()) session.query(sql, c.file + ":" + std::to_string(s.line));
    }
    session.query(std::string("INSERT INTO ") + kMarker + " VALUES (1)", "marker");
  }
  MySqlSourceOptions opts = SourceOptions(server, db.name());
  opts.zero_dates = ZeroDatePolicy::kString;  // Maxwell writes zero dates as text
  MySqlSource source(opts);
  WatchedEmitter out;
  RunningSource run(source, from, out);
  ASSERT_TRUE(out.wait(
      [](const std::vector<ChangeEvent>& evs) {
        for (const ChangeEvent& e : evs) {
          if (e.schema && e.schema->id().table == kMarker) return true;
        }
        return false;
      },
      60s))
      << run.error();
  EXPECT_EQ(run.error(), "");
  run.stop();

  const auto aliases = JsonAliases(server, db.name());
  std::vector<json> actual;
  for (const ChangeEvent& e : out.data()) {
    if (e.schema->id().table != kMarker) actual.push_back(MaxwellEvent(e, aliases));
  }
  int compared = 0, fields_skipped = 0;
  for (const Step& s : steps) {
    if (!s.row) continue;
    json want = *s.row;
    // The statement text (ANNOTATE_ROWS) is not part of cdcd's row events.
    if (want.erase("query")) ++fields_skipped;
    want["database"] = rw.database(want.value("database", ""));
    ++compared;
    bool found = std::find(actual.begin(), actual.end(), want) != actual.end();
    std::string got;
    for (const json& a : actual) {
      if (a["table"] == want["table"]) got += "\n  " + a.dump();
    }
    EXPECT_TRUE(found) << c.file << ":" << s.line << ": expected\n  " << want.dump()
                       << "\namong cdcd's events for that table:" << got;
  }
  std::cout << "[maxwell] " << c.file << ": " << compared << " expected row events compared";
  if (fields_skipped) {
    std::cout << ", 'query' field ignored in " << fields_skipped
              << " (cdcd row events carry no statement text)";
  }
  std::cout << "\n";
  EXPECT_GT(compared, 0);
}

INSTANTIATE_TEST_SUITE_P(Maxwell, MaxwellSuiteTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return info.param.file;
                         });

}  // namespace
}  // namespace cdc::mysql
