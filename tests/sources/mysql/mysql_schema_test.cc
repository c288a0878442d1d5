// TABLE_MAP -> versioned cdc::TableSchema, and QUERY classification.

#include "sources/mysql/mysql_schema.h"

#include <gtest/gtest.h>

#include "tests/sources/mysql/binlog_fixtures.h"

namespace cdc::mysql::testing {
namespace {

std::vector<std::shared_ptr<const TableMapEvent>> Maps(const std::string& folder,
                                                       const std::string& name) {
  auto p = FindFixture(folder, name);
  if (!p) throw std::runtime_error("missing fixture " + name);
  DecodedFile d = DecodeBinlogFile(*p);
  std::vector<std::shared_ptr<const TableMapEvent>> out;
  for (const auto& ev : d.events) {
    if (auto* t = std::get_if<std::shared_ptr<const TableMapEvent>>(&ev.body)) out.push_back(*t);
  }
  return out;
}

TEST(MysqlSchema, FullMetadataSchema) {
  auto maps = Maps("rust_mysql_common", "mariadb-bin.000001");
  ASSERT_EQ(maps.size(), 2u);
  SchemaTracker tracker;
  TableSchemaPtr s = tracker.update(*maps[0]);
  EXPECT_EQ(s->id().qualified(), "toddy_test.outbox");
  EXPECT_EQ(s->version(), 1u);
  ASSERT_EQ(s->columns().size(), 5u);
  EXPECT_EQ(s->columns()[0].name, "id");
  EXPECT_EQ(s->columns()[0].type, ColumnType::kInt32);
  EXPECT_EQ(s->columns()[1].type, ColumnType::kString);
  EXPECT_EQ(s->columns()[2].type, ColumnType::kEnum);
  EXPECT_EQ(s->columns()[2].enum_values.size(), 3u);
  EXPECT_EQ(s->columns()[3].type, ColumnType::kBytes);  // binary collation
  EXPECT_EQ(s->columns()[4].type, ColumnType::kTimestampTz);
  EXPECT_EQ(s->key_columns(), (std::vector<size_t>{0}));
  // Same definition mapped again: same schema object, same version.
  EXPECT_EQ(tracker.update(*maps[1]), s);
  tracker.invalidate("toddy_test", "outbox");
  EXPECT_EQ(tracker.update(*maps[1])->version(), 2u);
}

TEST(MysqlSchema, WithoutMetadataColumnsAreNumbered) {
  auto maps = Maps("go-mysql", "tcb-eval002c-bin.003320");
  ASSERT_FALSE(maps.empty());
  SchemaTracker tracker;
  TableSchemaPtr s = tracker.update(*maps[0]);
  ASSERT_EQ(s->columns().size(), 14u);
  EXPECT_EQ(s->columns()[0].name, "@1");
  EXPECT_EQ(s->columns()[1].type, ColumnType::kDecimal);
  EXPECT_EQ(s->columns()[1].precision, 4);
  EXPECT_EQ(s->columns()[1].scale, 2);
  EXPECT_EQ(s->columns()[1].source_type, "decimal(4,2)");
  EXPECT_TRUE(s->key_columns().empty());
}

TEST(MysqlSchema, ClassifyQuery) {
  EXPECT_EQ(ClassifyQuery("BEGIN"), QueryKind::kBegin);
  EXPECT_EQ(ClassifyQuery("  commit"), QueryKind::kCommit);
  EXPECT_EQ(ClassifyQuery("ROLLBACK"), QueryKind::kRollback);
  EXPECT_EQ(ClassifyQuery("ROLLBACK TO SAVEPOINT a"), QueryKind::kSavepoint);
  EXPECT_EQ(ClassifyQuery("/* app */ ALTER TABLE t ADD c INT"), QueryKind::kDdl);
  EXPECT_EQ(ClassifyQuery("create table t (a int)"), QueryKind::kDdl);
  EXPECT_EQ(ClassifyQuery("TRUNCATE t"), QueryKind::kDdl);
  EXPECT_EQ(ClassifyQuery("XA START 'x'"), QueryKind::kXa);
  EXPECT_EQ(ClassifyQuery("INSERT INTO t VALUES (1)"), QueryKind::kOther);
  EXPECT_EQ(ClassifyQuery("/* unterminated"), QueryKind::kOther);
}

}  // namespace
}  // namespace cdc::mysql::testing
