// information_schema reading against the fixture's MariaDB, and the mapping
// onto TABLE_MAP columns. (mysql_snapshot_test.cc also checks the resulting
// schema against the TABLE_MAP the server itself logs for a table.)
#include "sources/mysql/mysql_catalog.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "sources/mysql/column_types.h"
#include "sources/mysql/mysql_schema.h"
#include "sources/mysql/mysql_text_value.h"
#include "tests/support/test_support.h"

namespace cdc::mysql {
namespace {

TEST(MySqlCatalogTest, ParsesEnumValues) {
  EXPECT_EQ(ParseEnumValues("enum('a','b')"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ParseEnumValues("set('it''s','x,y','')"),
            (std::vector<std::string>{"it's", "x,y", ""}));
  EXPECT_EQ(ParseEnumValues("int(11)"), std::vector<std::string>{});
}

TEST(MySqlCatalogTest, MapsColumnsOntoTableMapTypes) {
  CatalogColumn c;
  c.name = "c";
  c.data_type = "char";
  c.char_max_bytes = 400;  // > 255 bytes: two length bits in the type byte
  c.collation = 45;
  TableMapColumn m = ToTableMapColumn(c);
  EXPECT_EQ(m.type, kTypeString);
  EXPECT_EQ(m.real_type, kTypeString);
  EXPECT_EQ(m.length, 400u);
  EXPECT_EQ(m.metadata, 0xee90);  // as a TABLE_MAP writes it (table_map_event.cc)
  c.data_type = "mediumblob";
  c.collation.reset();
  m = ToTableMapColumn(c);
  EXPECT_EQ(m.real_type, kTypeBlob);
  EXPECT_EQ(m.length, 3u);
  EXPECT_EQ(m.collation, 63u);
  c.data_type = "uuid";
  c.column_type = "uuid";
  m = ToTableMapColumn(c);  // BINARY(16) in the binlog, marked as a UUID
  EXPECT_EQ(m.real_type, kTypeString);
  EXPECT_EQ(m.length, 16u);
  EXPECT_EQ(m.collation, 63u);
  EXPECT_EQ(m.mariadb_type, MariaDbType::kUuid);
  c.data_type = c.column_type = "inet4";
  EXPECT_EQ(ToTableMapColumn(c).length, 4u);
  EXPECT_EQ(ToTableMapColumn(c).mariadb_type, MariaDbType::kInet4);
  c.data_type = c.column_type = "inet6";
  EXPECT_EQ(ToTableMapColumn(c).mariadb_type, MariaDbType::kInet6);
}

// FLOAT(M,D) keeps its digits; spatial types their GEOMETRY_TYPE code.
TEST(MySqlCatalogTest, MapsWhatOnlyTheCatalogKnows) {
  CatalogColumn c;
  c.name = "f";
  c.data_type = "float";
  c.column_type = "float";
  c.numeric_precision = 12;
  TableMapColumn m = ToTableMapColumn(c);
  EXPECT_FALSE(m.float_scale.has_value());
  EXPECT_EQ(ColumnFromTableMap(m, 0).type, ColumnType::kFloat32);
  c.column_type = "float(7,3)";
  c.numeric_precision = 7;
  c.numeric_scale = 3;
  m = ToTableMapColumn(c);
  EXPECT_EQ(m.float_scale, std::optional<uint8_t>(3));
  EXPECT_EQ(ColumnFromTableMap(m, 0).type, ColumnType::kFloat64);
  EXPECT_EQ(ColumnFromTableMap(m, 0).source_type, "float(7,3)");
  c = CatalogColumn{};
  c.name = "p";
  c.data_type = c.column_type = "point";
  m = ToTableMapColumn(c);
  EXPECT_EQ(m.real_type, kTypeGeometry);
  EXPECT_EQ(m.geometry_type, std::optional<uint32_t>(1));
  EXPECT_EQ(ColumnFromTableMap(m, 0).source_type, "point");
  c.data_type = c.column_type = "geomcollection";  // MySQL 8's name
  EXPECT_EQ(ColumnFromTableMap(ToTableMapColumn(c), 0).source_type, "geometrycollection");
}

// A type cdcd does not know is a text column for the snapshot, never an error.
TEST(MySqlCatalogTest, UnknownTypeBecomesText) {
  CatalogColumn c;
  c.name = "x";
  c.data_type = "xmltype";
  c.column_type = "xmltype(3)";
  const TableMapColumn m = ToTableMapColumn(c);
  EXPECT_EQ(m.unknown_type, "xmltype(3)");
  EXPECT_NE(m.collation, std::optional<uint32_t>(63));
  const Column col = ColumnFromTableMap(m, 0);
  EXPECT_EQ(col.type, ColumnType::kUnknown);
  EXPECT_EQ(col.source_type, "xmltype(3)");
  EXPECT_EQ(TextToValue("<a/>", m, {}), Value("<a/>"));
}

TEST(MySqlCatalogTest, ReadsTheServersCatalog) {
  auto host = cdc::testing::ServiceEnv("mariadb", "CDCD_TEST_MYSQL_HOST");
  if (!host) {
    if (cdc::testing::ServicesRequired()) FAIL() << "service mariadb is not running";
    GTEST_SKIP() << "service mariadb is not running";
  }
  MySqlConnectOptions co;
  co.host = *host;
  co.port = static_cast<uint16_t>(
      std::stoi(*cdc::testing::ServiceEnv("mariadb", "CDCD_TEST_MYSQL_PORT")));
  co.user = *cdc::testing::ServiceEnv("mariadb", "CDCD_TEST_MYSQL_USER");
  co.password = *cdc::testing::ServiceEnv("mariadb", "CDCD_TEST_MYSQL_PASSWORD");
  co.ssl_mode = "disabled";
  const std::string db = *cdc::testing::ServiceEnv("mariadb", "CDCD_TEST_MYSQL_DATABASE");
  MySqlConnection conn(co, "catalog test");
  const std::string t = "cat_" + std::to_string(getpid());
  conn.query("DROP TABLE IF EXISTS " + db + "." + t, "drop");
  conn.query("CREATE TABLE " + db + "." + t +
                 " (b VARCHAR(3) CHARACTER SET latin1 NOT NULL, a INT UNSIGNED NOT NULL,"
                 " d DECIMAL(7,2), e ENUM('x','y''z') CHARACTER SET utf8mb4 COLLATE "
                 "utf8mb4_bin, tm DATETIME(4), bits BIT(3), bl TINYBLOB, PRIMARY KEY (a, b))",
             "create");
  CatalogTable c = ReadCatalogTable(conn, db, t);
  conn.query("DROP TABLE " + db + "." + t, "drop");
  ASSERT_EQ(c.columns.size(), 7u);
  EXPECT_EQ(c.primary_key, (std::vector<size_t>{1, 0}));
  const CatalogColumn &b = c.columns[0], &a = c.columns[1], &d = c.columns[2], &e = c.columns[3];
  EXPECT_EQ(b.name, "b");
  EXPECT_FALSE(b.nullable);
  EXPECT_EQ(b.collation, 8u);  // latin1_swedish_ci
  EXPECT_EQ(b.char_max_bytes, 3);
  EXPECT_TRUE(a.is_unsigned);
  EXPECT_EQ(d.numeric_precision, 7);
  EXPECT_EQ(d.numeric_scale, 2);
  EXPECT_EQ(e.collation, 46u);  // utf8mb4_bin
  EXPECT_EQ(e.enum_values, (std::vector<std::string>{"x", "y'z"}));
  EXPECT_EQ(c.columns[4].datetime_precision, 4);
  EXPECT_EQ(c.columns[5].numeric_precision, 3);
  EXPECT_EQ(c.columns[6].collation, std::nullopt);  // binary: no collation name

  TableMapEvent m = ToTableMap(c);
  std::vector<std::string> types;
  for (size_t i = 0; i < m.columns.size(); ++i) {
    types.push_back(ColumnFromTableMap(m.columns[i], i).source_type);
  }
  EXPECT_EQ(types, (std::vector<std::string>{"varchar(3)", "int unsigned", "decimal(7,2)", "enum",
                                             "datetime(4)", "bit(3)", "tinyblob"}));
  EXPECT_EQ(ColumnFromTableMap(m.columns[1], 1).type, ColumnType::kInt64);
  EXPECT_EQ(m.columns[3].enum_values, e.enum_values);
  EXPECT_EQ(m.columns[6].collation, 63u);

  MySqlSourceOptions o;
  o.connect = co;
  // Other tests create tables in the shared database: the pattern covers
  // only this test's name.
  o.tables = {db + "." + t + "*"};
  EXPECT_TRUE(ListCapturedTables(conn, o).empty());  // dropped; a pattern may match nothing
  o.tables = {db + "." + t};  // a name must match
  try {
    ListCapturedTables(conn, o);
    ADD_FAILURE() << "a dropped table named in `tables` was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("table " + db + "." + t + " (from `tables`) not found"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(ReadCatalogTable(conn, db, t), Error);
}

}  // namespace
}  // namespace cdc::mysql
