// The postgres source's dsn, checked when the config is loaded: what libpq
// cannot use is a configuration error naming the problem, never echoing what
// could be the password.
#include "sources/postgres/postgres_options.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "cdc/error.h"

namespace cdc::pg {
namespace {

std::string Problem(const std::string& dsn) {
  return DsnProblem(dsn).value_or("none");
}

TEST(DsnProblemTest, UsableConnectionStringsAndUrisPass) {
  EXPECT_EQ(Problem("host=127.0.0.1 port=5432 user=cdc password='it\\'s secret' dbname=shop"),
            "none");
  EXPECT_EQ(Problem("host=a,b port=5432,5433 target_session_attrs=read-write"), "none");
  EXPECT_EQ(Problem("postgresql://cdc:s%40cret@db:5432/shop?sslmode=verify-full"), "none");
  EXPECT_EQ(Problem("dbname=shop connect_timeout=10 keepalives_idle=30"), "none");
  EXPECT_EQ(Problem("shop"), "none");  // a database name alone
}

TEST(DsnProblemTest, BadNumbersAndModesAreNamed) {
  EXPECT_EQ(Problem("host=db port=notaport"),
            "port: expected a port number (1 to 65535, one per host), got \"notaport\"");
  EXPECT_EQ(Problem("host=a,b port=5432,70000"),
            "port: expected a port number (1 to 65535, one per host), got \"5432,70000\"");
  EXPECT_EQ(Problem("host=db connect_timeout=ten"),
            "connect_timeout: expected a whole number, got \"ten\"");
  EXPECT_EQ(Problem("host=db sslmode=verify"),
            "sslmode: expected one of disable, allow, prefer, require, verify-ca, verify-full; "
            "got \"verify\"");
  EXPECT_EQ(Problem("host=db colour=blue"),
            "not a valid libpq connection string or URI: invalid connection option \"colour\"");
}

TEST(DsnProblemTest, ParseErrorsDoNotEchoThePassword) {
  for (const std::string dsn :
       {"host=db user=cdc password='hunter2", "host=db hunter2 user=cdc",
        "postgresql://cdc:hunter2@db:notaport/shop", "postgresql://cdc:hunter2%zz@db/shop"}) {
    const std::string p = Problem(dsn);
    EXPECT_NE(p, "none") << dsn;
    EXPECT_EQ(p.find("hunter2"), std::string::npos) << dsn << ": " << p;
  }
}

TEST(DsnProblemTest, RedactedParseErrorsKeepTheirShape) {
  EXPECT_EQ(Problem("host=db hunter2 user=cdc"),
            "not a valid libpq connection string or URI: missing \"=\" after \"...\" in "
            "connection info string");
}

TEST(DsnProblemTest, TheSourceBlockFailsWithFileLineAndKey) {
  ConfigNode source(YAML::Load("type: postgres\ndsn: \"host=db port=5432x\"\n"), "p.yaml",
                    "pipelines[0].source");
  try {
    ParsePostgresSourceOptions(source, "shop");
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "p.yaml:2: pipelines[0].source.dsn: port: expected a port number (1 to 65535, one "
              "per host), got \"5432x\"");
  }
}

}  // namespace
}  // namespace cdc::pg
