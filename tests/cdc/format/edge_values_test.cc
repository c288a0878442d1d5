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

namespace cdc::testing::fmt {
namespace {

// MySQL's zero dates with zero_dates: string arrive as their text.
ChangeEvent ZeroDateEvent() {
  TableSchemaPtr t = MakeTable(TableId{"shop", "", "z"},
                               {Col("id", ColumnType::kInt32, false), Col("d", ColumnType::kDate),
                                Col("dt", ColumnType::kTimestamp, false)},
                               {0});
  return MakeEvent(Op::kCreate, t, MySqlSource(t->id()), std::nullopt,
                   RowOf({Value(int64_t{1}), Value("0000-00-00"), Value("0000-00-00 00:00:00")}));
}

TEST(ZeroDates, DebeziumWritesNullOrTheEpochForNotNullAsDebezium) {
  for (bool schemas : {true, false}) {
    auto f = MakeFormat(Options(FormatOptions::Envelope::kDebezium, schemas));
    OJson v = ParseRecord(f->value(ZeroDateEvent()));
    OJson after = (schemas ? v["payload"] : v)["after"];
    EXPECT_TRUE(after["d"].is_null());
    EXPECT_EQ(after["dt"], 0);
  }
}

TEST(ZeroDates, FlatWritesMySqlsText) {
  OJson v =
      ParseRecord(MakeFormat(Options(FormatOptions::Envelope::kFlat))->value(ZeroDateEvent()));
  EXPECT_EQ(v["d"], "0000-00-00");
  EXPECT_EQ(v["dt"], "0000-00-00 00:00:00");
}

// MySQL's TIME spans ±838:59:59, past int32 milliseconds at 596 h: it is
// Debezium's MicroTime (int64 µs) whatever its precision.
TEST(ElapsedTime, MySqlTimeIsMicroTimeEvenPast596Hours) {
  Column t0 = WithPrecision(Col("t", ColumnType::kTime), 0);
  t0.elapsed = true;
  TableSchemaPtr t =
      MakeTable(TableId{"shop", "", "e"}, {Col("id", ColumnType::kInt32, false), t0}, {0});
  const int64_t us = -(838LL * 3600 + 59 * 60 + 59) * 1000000;
  ChangeEvent ev = MakeEvent(Op::kCreate, t, MySqlSource(t->id()), std::nullopt,
                             RowOf({Value(int64_t{1}), Value(Time{us})}));
  OJson v = ParseRecord(MakeFormat(Options())->value(ev));
  EXPECT_EQ(v["payload"]["after"]["t"], us);
  EXPECT_EQ(v["schema"]["fields"][1]["fields"][1]["name"], "io.debezium.time.MicroTime");
  EXPECT_EQ(v["schema"]["fields"][1]["fields"][1]["type"], "int64");
}

}  // namespace
}  // namespace cdc::testing::fmt
