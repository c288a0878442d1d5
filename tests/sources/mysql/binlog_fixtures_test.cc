// Every binlog fixture file through BinlogFileReader + BinlogEventDecoder:
// the event-type counts must match MANIFEST.json, files that upstream could
// not read to the end must give a clean cdc::Error naming file:position.

#include "tests/sources/mysql/binlog_fixtures.h"

#include <gtest/gtest.h>

namespace cdc::mysql::testing {
namespace {

class BinlogFixtureTest : public ::testing::TestWithParam<FixtureFile> {};

TEST_P(BinlogFixtureTest, DecodesWithManifestCounts) {
  const FixtureFile& f = GetParam();
  if (f.path.empty())
    GTEST_SKIP() << f.folder << "/" << f.name << " not available (GPL, in ../shared)";
  DecodedFile d = DecodeBinlogFile(f.path);
  const auto& m = f.manifest;
  bool to_end = m.value("parsed_to_end", false);
  if (!m.contains("events")) {  // not a binlog at all
    ASSERT_TRUE(d.error.has_value());
    EXPECT_NE(d.error->find(f.path.filename().string() + ":0:"), std::string::npos) << *d.error;
    return;
  }
  if (f.name == "corrupt-relay-bin.000624") {
    // Upstream's known-broken QUERY event (size 171, status-variable length
    // runs past the event): decoding must stop there with file:pos.
    ASSERT_TRUE(d.error.has_value());
    EXPECT_NE(d.error->find("corrupt-relay-bin.000624:91204: QUERY event"), std::string::npos)
        << *d.error;
    return;
  }
  if (to_end) {
    EXPECT_FALSE(d.error.has_value()) << *d.error;
  } else {
    ASSERT_TRUE(d.error.has_value());
    EXPECT_NE(d.error->find(f.path.filename().string() + ":"), std::string::npos) << *d.error;
  }
  std::map<std::string, int> expected;
  if (m.contains("event_types") && m["event_types"].is_object()) {
    for (auto& [k, v] : m["event_types"].items()) expected[k] = v.get<int>();
  }
  EXPECT_EQ(d.counts, expected);
}

std::vector<FixtureFile> Fixtures() {
  return AllBinlogFixtures();
}

INSTANTIATE_TEST_SUITE_P(All, BinlogFixtureTest, ::testing::ValuesIn(Fixtures()),
                         [](const auto& info) { return info.param.label(); });

}  // namespace
}  // namespace cdc::mysql::testing
