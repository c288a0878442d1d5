// SyncPublication as a least-privilege user (the test server's `cdc` role:
// LOGIN REPLICATION, SELECT on the tables, no ownership): what it may not do
// is refused with the statement its owner has to run.
#include "sources/postgres/publication_manager.h"

#include <gtest/gtest.h>

#include "tests/sources/postgres/pg_test_env.h"
#include "tests/support/test_support.h"

namespace cdc::pg {
namespace {

using testing::TestDatabase;

void NoWarnings(const std::string&) {}

class PublicationManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dsn = cdc::testing::ServiceEnv("postgres", "CDCD_TEST_PG_DSN");
    auto user = cdc::testing::ServiceEnv("postgres", "CDCD_TEST_PG_CDC_USER");
    if (!dsn || !user) {
      if (cdc::testing::ServicesRequired()) FAIL() << "service postgres is not running";
      GTEST_SKIP() << "service postgres is not running";
    }
    db_ = std::make_unique<TestDatabase>(*dsn, "pubgrant");
    db_->sql(
        "CREATE TABLE t (id int PRIMARY KEY); CREATE TABLE u (id int PRIMARY KEY);"
        "GRANT SELECT ON t, u TO " +
        *user);
    cdc_dsn_ = db_->dsn() + " user=" + *user;
  }

  std::string Sync(const std::vector<std::string>& tables) {
    PgConnection conn(cdc_dsn_, PgConnection::Mode::kQuery, "pipeline shop: catalog");
    try {
      SyncPublication(conn, "pub_shop", tables, {}, NoWarnings);
      return "";
    } catch (const Error& e) {
      return e.what();
    }
  }

  std::unique_ptr<TestDatabase> db_;
  std::string cdc_dsn_;
};

TEST_F(PublicationManagerTest, CreateWithoutRightsSaysWhatTheOwnerMustRun) {
  const std::string err = Sync({"public.t"});
  EXPECT_NE(err.find("pipeline shop: catalog: creating publication pub_shop: ERROR:"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("needs the CREATE privilege on database " + db_->name() +
                     " and ownership of every table it names, which cdc lacks"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("run once: CREATE PUBLICATION \"pub_shop\" FOR TABLE \"public\".\"t\"; cdcd "
                     "then uses "
                     "it as it is"),
            std::string::npos)
      << err;
  // Done as told, the same call succeeds and changes nothing.
  db_->sql("CREATE PUBLICATION pub_shop FOR TABLE public.t");
  EXPECT_EQ(Sync({"public.t"}), "");
}

TEST_F(PublicationManagerTest, ADifferentOwnedPublicationIsNotChangedButExplained) {
  db_->sql("CREATE PUBLICATION pub_shop FOR TABLE public.u");
  const std::string err = Sync({"public.t"});
  EXPECT_NE(err.find("updating the tables of publication pub_shop: ERROR:  must be owner of "
                     "publication pub_shop"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("The publication names public.u but the pipeline captures public.t, and "
                     "only its owner may change it (with tables it owns). Have the owner (or a "
                     "superuser) run: ALTER PUBLICATION \"pub_shop\" SET TABLE \"public\".\"t\";"),
            std::string::npos)
      << err;
}

}  // namespace
}  // namespace cdc::pg
