// Row values of every binlog fixture against MariaDB's own decoder
// (`mariadb-binlog -vv` output in ../shared/fixtures/*/oracle-mariadb-binlog/,
// a second opinion). Values whose oracle rendering is unambiguous are
// compared (integers, DECIMAL, DATETIME, TIMESTAMP seconds, TIME, YEAR,
// ENUM/SET indexes, plain ASCII strings); the rest (floats, blobs, BIT,
// JSON, strings with escapes) are skipped. Skipped when ../shared is absent.

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "sources/mysql/column_types.h"
#include "sources/mysql/mysql_temporal.h"
#include "tests/sources/mysql/binlog_fixtures.h"
#include "tests/support/test_support.h"

namespace cdc::mysql::testing {
namespace {

namespace fs = std::filesystem;

// One row image as the oracle prints it: (1-based column, value text).
using OracleImage = std::vector<std::pair<size_t, std::string>>;

std::string ReadMaybeGz(const fs::path& p) {
  if (p.extension() != ".gz") return cdc::testing::ReadFile(p);
  std::string out;
  FILE* f = popen(("gzip -dc '" + p.string() + "'").c_str(), "r");
  if (!f) return out;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  pclose(f);
  return out;
}

std::optional<fs::path> OracleFile(const FixtureFile& f) {
  fs::path dir =
      cdc::testing::SourcePath("../shared/fixtures") / f.folder / "oracle-mariadb-binlog";
  // canal names its tsdb/ files "tsdb_<name>"; go-mysql's decode is "tcb".
  std::vector<std::string> stems = {f.path.parent_path().filename().string() + "_" + f.name, f.name,
                                    "tcb"};
  if (f.name.ends_with(".gz")) stems.insert(stems.begin(), f.name.substr(0, f.name.size() - 3));
  for (const auto& stem : stems) {
    for (const char* ext : {".mariadb-binlog-vv.txt", ".mariadb-binlog-vv.txt.gz"}) {
      fs::path p = dir / (stem + ext);
      if (fs::exists(p)) return p;
    }
  }
  return std::nullopt;
}

std::vector<OracleImage> ParseOracle(const std::string& text) {
  std::vector<OracleImage> images;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line == "### SET" || line == "### WHERE") {
      images.emplace_back();
    } else if (line.starts_with("###   @") && !images.empty()) {
      size_t eq = line.find('=');
      size_t comment = line.rfind(" /* ");
      if (eq == std::string::npos || comment == std::string::npos || comment < eq) continue;
      size_t col = std::stoul(line.substr(7, eq - 7));
      images.back().emplace_back(col, line.substr(eq + 1, comment - eq - 1));
    }
  }
  return images;
}

bool PlainAscii(const std::string& s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7e || c == '\'' || c == '\\') return false;
  }
  return true;
}

// The oracle's text for `v`, or nullopt when it is not compared.
std::optional<std::string> Render(const Value& v, const TableMapColumn& col) {
  if (v.is_null()) return "NULL";
  if (v.is<int64_t>() && col.real_type == kTypeSet) {  // no names: the bitmap, as b'0101'
    std::string bits;
    for (int i = static_cast<int>(col.length) * 8 - 1; i >= 0; --i) {
      bits += (v.as<int64_t>() >> i & 1) ? '1' : '0';
    }
    return "b'" + bits + "'";
  }
  if (v.is<int64_t>()) return std::to_string(v.as<int64_t>());
  if (v.is<uint64_t>()) return std::to_string(v.as<uint64_t>());
  if (v.is<Decimal>()) return v.as<Decimal>().text;
  if (v.is<Time>()) return "'" + FormatTime(v.as<Time>().micros, 0) + "'";
  if (v.is<TimestampTz>() && v.as<TimestampTz>().micros % 1000000 == 0) {
    return std::to_string(v.as<TimestampTz>().micros / 1000000);
  }
  if (v.is<Timestamp>() && col.length == 0 && v.as<Timestamp>().micros >= 0) {
    int64_t us = v.as<Timestamp>().micros;
    int64_t days = us / 86400000000LL, secs = us / 1000000 % 86400;
    // civil_from_days for the date part
    int64_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    DateTimeParts p;
    p.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    p.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    p.year = static_cast<int>(yoe + era * 400 + (p.month <= 2));
    p.hour = static_cast<int>(secs / 3600);
    p.minute = static_cast<int>(secs / 60 % 60);
    p.second = static_cast<int>(secs % 60);
    return "'" + FormatDateTime(p, 0) + "'";
  }
  if (v.is<std::string>() && col.real_type != kTypeEnum && col.real_type != kTypeSet &&
      PlainAscii(v.as<std::string>())) {
    return "'" + v.as<std::string>() + "'";
  }
  return std::nullopt;
}

bool Matches(const std::string& ours, const std::string& oracle) {
  if (ours == oracle) return true;
  // Unsigned columns without signedness metadata: "-1 (4294967295)".
  size_t paren = oracle.find(" (");
  return paren != std::string::npos &&
         (oracle.substr(0, paren) == ours ||
          oracle.substr(paren + 2, oracle.size() - paren - 3) == ours);
}

class OracleCompareTest : public ::testing::TestWithParam<FixtureFile> {};

TEST_P(OracleCompareTest, RowValuesMatchMariadbBinlog) {
  const FixtureFile& f = GetParam();
  if (f.path.empty()) GTEST_SKIP() << "fixture not available";
  auto oracle_path = OracleFile(f);
  if (!oracle_path) GTEST_SKIP() << "no oracle decode (../shared absent?)";
  DecodedFile d = DecodeBinlogFile(f.path);
  std::vector<OracleImage> oracle = ParseOracle(ReadMaybeGz(*oracle_path));
  std::vector<std::pair<const TableMapEvent*, const RowImage*>> ours;
  for (const auto& ev : d.events) {
    const auto* rows = std::get_if<RowsEvent>(&ev.body);
    if (!rows) continue;
    for (const auto& row : rows->rows) {
      if (row.before) ours.emplace_back(rows->table.get(), &*row.before);
      if (row.after) ours.emplace_back(rows->table.get(), &*row.after);
    }
  }
  if (oracle.empty() && ours.empty()) return;  // no row events in the file
  if (oracle.empty()) GTEST_SKIP() << "the oracle could not decode this file's rows";
  // The oracle stops at events it cannot read (compressed payloads), so
  // compare the common prefix, which must be all of the oracle's images
  // unless our decoder stopped at a corrupt event.
  if (!d.error) {
    EXPECT_GE(ours.size(), oracle.size());
  }
  size_t compared = 0, mismatches = 0;
  for (size_t i = 0; i < std::min(ours.size(), oracle.size()); ++i) {
    const auto& [table, img] = ours[i];
    for (const auto& [col, text] : oracle[i]) {
      ASSERT_LE(col, img->values.size()) << "image " << i;
      size_t c = col - 1;
      if (!img->present[c]) {
        ADD_FAILURE() << "image " << i << " column @" << col << " absent in ours";
        continue;
      }
      auto r = Render(img->values[c], table->columns[c]);
      if (!r) continue;
      ++compared;
      if (!Matches(*r, text) && ++mismatches <= 10) {
        ADD_FAILURE() << f.name << " image " << i << " (" << table->table << ") @" << col
                      << ": ours " << *r << " oracle " << text;
      }
    }
  }
  EXPECT_EQ(mismatches, 0u);
  RecordProperty("compared_values", static_cast<int>(compared));
  std::printf("    %s: %zu images, %zu values compared\n", f.name.c_str(), oracle.size(), compared);
}

// Only fixtures with an oracle decode (in ../shared) get a test; without
// ../shared there are none.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(OracleCompareTest);
std::vector<FixtureFile> FixturesWithOracle() {
  std::vector<FixtureFile> out;
  for (FixtureFile& f : AllBinlogFixtures()) {
    if (OracleFile(f)) out.push_back(std::move(f));
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(All, OracleCompareTest, ::testing::ValuesIn(FixturesWithOracle()),
                         [](const auto& info) { return info.param.label(); });

}  // namespace
}  // namespace cdc::mysql::testing
