// PlanTables against a real PostgreSQL 15: many tables planned in batches
// come out in the order asked, each with its own columns, key and row
// estimate (never-analyzed tables estimated by the planner, partitioned
// tables over their partitions); generated columns are left out; a quoted
// name works; configured key columns are used, a missing one named.
#include "sources/postgres/snapshot_plan.h"

#include <gtest/gtest.h>

#include "cdc/error.h"
#include "tests/sources/postgres/pg_test_env.h"
#include "tests/support/test_support.h"

namespace cdc::pg {
namespace {

using testing::TestDatabase;

struct Planner {
  explicit Planner(const std::string& dsn)
      : conn(dsn, PgConnection::Mode::kQuery, "test planning"),
        catalog(conn),
        types(catalog, [](const std::string&) {}) {}
  std::vector<TablePlan> plan(const std::vector<PgTableInfo>& tables) {
    return PlanTables(conn, tables, "db", types, options);
  }
  PgConnection conn;
  PgCatalog catalog;
  PgTypeMap types;
  PostgresSourceOptions options;
};

TEST(PgSnapshotPlanTest, ManyTablesInBatchesKeepOrderColumnsKeysAndEstimates) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  TestDatabase db(dsn, "plan");
  // More tables than one batch; t<i> has i % 7 rows and is never analyzed.
  const size_t n = kPlanBatch + 40;
  db.sql(
      "DO $$ BEGIN FOR i IN 0.." + std::to_string(n - 1) +
      " LOOP EXECUTE format('CREATE TABLE t%s (id int PRIMARY KEY, v text, "
      "g int GENERATED ALWAYS AS (id * 2) STORED)', i); "
      "EXECUTE format('INSERT INTO t%s SELECT g, ''x'' FROM generate_series(1, %s) g', i, i % 7); "
      "END LOOP; END $$");
  db.sql(
      "CREATE TABLE \"Odd Name\" (\"K ey\" bigint, b int, c varchar(9) NOT NULL DEFAULT 'n/a', "
      "PRIMARY KEY (b, \"K ey\"))");
  db.sql("INSERT INTO \"Odd Name\" SELECT g, g, 'c' FROM generate_series(1, 500) g");
  db.sql("ANALYZE \"Odd Name\"");
  db.sql("CREATE TABLE parted (id int PRIMARY KEY) PARTITION BY RANGE (id)");
  db.sql("CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (1000)");
  db.sql("INSERT INTO parted SELECT generate_series(1, 300)");

  PgConnection list(db.dsn(), PgConnection::Mode::kQuery, "list");
  PgCatalog catalog_reader(list);
  std::map<std::string, PgTableInfo> by_name;
  for (const PgTableInfo& t : catalog_reader.tables()) by_name[t.name] = t;
  // Asked in an order that is not the catalog's.
  std::vector<PgTableInfo> asked = {by_name.at("parted"), by_name.at("Odd Name")};
  for (size_t i = n; i-- > 0;) asked.push_back(by_name.at("t" + std::to_string(i)));

  Planner planner(db.dsn());
  const std::vector<TablePlan> plans = planner.plan(asked);
  ASSERT_EQ(plans.size(), asked.size());
  for (size_t i = 0; i < plans.size(); ++i) EXPECT_EQ(plans[i].info.oid, asked[i].oid) << i;

  const TablePlan& parted = plans[0];
  EXPECT_EQ(parted.from, R"("public"."parted")");  // read through its partitions
  EXPECT_GT(parted.estimate, 0);

  const TablePlan& odd = plans[1];
  EXPECT_EQ(odd.from, R"(ONLY "public"."Odd Name")");
  EXPECT_EQ(odd.select_list, R"("K ey", "b", "c")");
  EXPECT_EQ(odd.key_columns, (std::vector<size_t>{1, 0}));  // the primary key's order
  EXPECT_EQ(odd.key_sql, (std::vector<std::string>{R"("b")", R"("K ey")"}));
  EXPECT_EQ(odd.key_types, (std::vector<std::string>{"integer", "bigint"}));
  EXPECT_EQ(odd.estimate, 500);  // analyzed: pg_class.reltuples
  // The Relation the stream would build: types as named, nullability,
  // defaults, the primary key.
  const std::vector<Column>& oc = odd.relation->schema->columns();
  ASSERT_EQ(oc.size(), 3u);
  EXPECT_EQ(oc[2].source_type, "character varying(9)");
  EXPECT_FALSE(oc[2].nullable);
  EXPECT_TRUE(oc[1].nullable == false);  // a primary key column is NOT NULL
  ASSERT_TRUE(oc[2].default_value.has_value());
  EXPECT_EQ(*oc[2].default_value, Value(std::string("n/a")));
  EXPECT_FALSE(oc[0].default_value.has_value());
  EXPECT_EQ(odd.relation->schema->key_columns(), (std::vector<size_t>{1, 0}));

  for (size_t k = 2; k < plans.size(); ++k) {
    const TablePlan& p = plans[k];
    const size_t i = n - 1 - (k - 2);
    ASSERT_EQ(p.info.name, "t" + std::to_string(i));
    EXPECT_EQ(p.from, "ONLY \"public\".\"t" + std::to_string(i) + "\"");
    EXPECT_EQ(p.select_list, R"("id", "v")") << "generated columns are not sent by pgoutput";
    EXPECT_EQ(p.key_columns, std::vector<size_t>{0});
    ASSERT_EQ(p.relation->schema->columns().size(), 2u);
    // Never analyzed: the planner's guess from the table's size, known for each.
    EXPECT_GE(p.estimate, 0) << p.info.name;
  }
}

TEST(PgSnapshotPlanTest, ConfiguredKeyColumnsAreUsedAndAMissingOneIsNamed) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  TestDatabase db(dsn, "plankey");
  db.sql("CREATE TABLE nokey (a int, b text, c int)");
  PgConnection list(db.dsn(), PgConnection::Mode::kQuery, "list");
  PgCatalog catalog_reader(list);
  const std::vector<PgTableInfo> tables = catalog_reader.tables();
  ASSERT_EQ(tables.size(), 1u);

  Planner planner(db.dsn());
  EXPECT_TRUE(planner.plan(tables)[0].key_columns.empty());
  planner.options.snapshot.key_columns["public.nokey"] = {"c", "a"};
  const TablePlan p = planner.plan(tables)[0];
  EXPECT_EQ(p.key_columns, (std::vector<size_t>{2, 0}));
  EXPECT_EQ(p.key_sql, (std::vector<std::string>{R"("c")", R"("a")"}));
  planner.options.snapshot.key_columns["public.nokey"] = {"zz"};
  try {
    planner.plan(tables);
    ADD_FAILURE() << "a key column the table lacks was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "snapshot key_columns of public.nokey name column zz, which the table does not "
              "have");
  }
}

}  // namespace
}  // namespace cdc::pg
