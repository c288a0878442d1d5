// ParseMySqlSourceOptions: the signal table's default, and "" turning it off.
#include "sources/mysql/mysql_options.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "cdc/error.h"

namespace cdc::mysql {
namespace {

MySqlSourceOptions Parse(const std::string& extra) {
  const ConfigNode node(
      YAML::Load("type: mysql\nhost: h\nuser: u\ntables: [shop.orders]\n" + extra), "p.yaml",
      "source");
  return ParseMySqlSourceOptions(node, "p");
}

TEST(MySqlOptionsTest, SignalTableDefaultsToTheFirstPatternsDatabase) {
  const MySqlSourceOptions o = Parse("");
  EXPECT_EQ(o.signal_table, "shop.cdcd_signal");
  EXPECT_FALSE(o.signal_table_off);
}

TEST(MySqlOptionsTest, AnEmptySignalTableTurnsSignalsOffOnPurpose) {
  const MySqlSourceOptions o = Parse("signal_table: \"\"\n");
  EXPECT_EQ(o.signal_table, "");
  EXPECT_TRUE(o.signal_table_off);
  EXPECT_EQ(Parse("signal_table: ops.signals\n").signal_table, "ops.signals");
  EXPECT_THROW(Parse("signal_table: signals\n"), ConfigError);
}

}  // namespace
}  // namespace cdc::mysql
