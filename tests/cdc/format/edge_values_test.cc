// Edge values both envelopes must present: multi-dimensional arrays (a
// PostgreSQL int[] column may hold int[][] values, carried as nested Arrays)
// and the ±infinity date sentinels.
#include <gtest/gtest.h>

#include "cdc/format/value_encoding.h"
#include "tests/cdc/format/format_test_support.h"

namespace cdc::testing::fmt {
namespace {

ChangeEvent MatrixEvent() {
  TableSchemaPtr t =
      MakeTable(TableId{"db", "public", "m"},
                {Col("id", ColumnType::kInt32, false), ArrayOf("cells", ColumnType::kInt32),
                 ArrayOf("dates", ColumnType::kDate)},
                {0});
  Value matrix = Value::ArrayOf(
      {Value::ArrayOf({Value(1), Value(2)}), Value::ArrayOf({Value(3), Value::Null()})});
  Value dates = Value::ArrayOf({Value::ArrayOf({Value(Date{0}), Value(Date{1})})});
  return MakeEvent(Op::kCreate, t, PgSource(t->id()), std::nullopt,
                   RowOf({Value(int64_t{1}), matrix, dates}));
}

TEST(MultiDimensionalArrays, DebeziumWritesNestedArraysOfTheElementType) {
  auto f = MakeFormat(Options(FormatOptions::Envelope::kDebezium, false));
  OJson v = ParseRecord(f->value(MatrixEvent()));
  EXPECT_EQ(v["after"]["cells"].dump(), "[[1,2],[3,null]]");
  EXPECT_EQ(v["after"]["dates"].dump(), "[[0,1]]");  // io.debezium.time.Date days
}

TEST(MultiDimensionalArrays, FlatWritesNestedArraysOfReadableValues) {
  auto f = MakeFormat(Options(FormatOptions::Envelope::kFlat));
  OJson v = ParseRecord(f->value(MatrixEvent()));
  EXPECT_EQ(v["cells"].dump(), "[[1,2],[3,null]]");
  EXPECT_EQ(v["dates"].dump(), R"([["1970-01-01","1970-01-02"]])");
}

}  // namespace
}  // namespace cdc::testing::fmt

namespace cdc::testing::fmt {
namespace {

TEST(InfiniteDates, TextEncodingsSayInfinity) {
  EXPECT_EQ(std::string(format::IsoDate(kInfinityDays).view()), "infinity");
  EXPECT_EQ(std::string(format::IsoDate(kMinusInfinityDays).view()), "-infinity");
  EXPECT_EQ(std::string(format::IsoDate(0).view()), "1970-01-01");
}

}  // namespace
}  // namespace cdc::testing::fmt
