// The flat envelope: plain row objects with readable values and metadata.
#include "cdc/format/flat_format.h"

#include <gtest/gtest.h>

#include "tests/cdc/format/format_test_support.h"
#include "tests/cdc/format/sample_tables.h"

namespace cdc::testing::fmt {
namespace {

using Strings = std::vector<std::string>;

std::unique_ptr<Format> Flat() {
  return MakeFormat(Options(FormatOptions::Envelope::kFlat));
}

ChangeEvent DocCreate() {
  TableSchemaPtr t = DocCustomers();
  return MakeEvent(Op::kCreate, t, PgSource(t->id()), std::nullopt, DocCustomerRow());
}

TEST(FlatFormat, CreateIsTheRowPlusMetadata) {
  ChangeEvent ev = DocCreate();
  ExpectGolden("flat_customers_create", *Flat(), ev);
  EXPECT_EQ(*Flat()->key(ev), R"({"id":1})");
  EXPECT_EQ(Keys(ParseRecord(Flat()->value(ev))),
            (Strings{"id", "first_name", "last_name", "email", "__op", "__table", "__source_ts_ms",
                     "__event_id", "__deleted"}));
}

TEST(FlatFormat, DeleteShowsTheBeforeImageMarkedDeleted) {
  ChangeEvent ev = DocCreate();
  ev.op = Op::kDelete;
  ev.before = ev.after;
  ev.after.reset();
  ExpectGolden("flat_customers_delete", *Flat(), ev);
}

TEST(FlatFormat, UpdateShowsTheAfterImage) {
  ChangeEvent ev = DocCreate();
  ev.op = Op::kUpdate;
  ev.before = ev.after;
  ev.after->values[3] = Value("anne@example.org");
  OJson v = ParseRecord(Flat()->value(ev));
  EXPECT_EQ(v["email"], "anne@example.org");
  EXPECT_EQ(v["__op"], "u");
  EXPECT_EQ(v["__deleted"], "false");
}

TEST(FlatFormat, TruncateIsMetadataOnlyWithNullKey) {
  ChangeEvent ev = DocCreate();
  ev.op = Op::kTruncate;
  ev.after.reset();
  EXPECT_FALSE(Flat()->key(ev));
  EXPECT_EQ(Flat()->value(ev),
            R"({"__op":"t","__table":"postgres.public.customers","__source_ts_ms":1559033904863,)"
            R"("__event_id":"evt-1","__deleted":"false"})");
}

TEST(FlatFormat, AllColumnTypesAreReadable) {
  TableSchemaPtr t = AllTypesTable();
  ChangeEvent ev = MakeEvent(Op::kRead, t, PgSource(t->id()), std::nullopt, AllTypesRow());
  ExpectGolden("flat_all_types", *Flat(), ev);
}

TEST(FlatFormat, TemporalTypesAreIso8601) {
  TableSchemaPtr t = TemporalTable();
  ChangeEvent ev = MakeEvent(Op::kCreate, t, PgSource(t->id()), std::nullopt, TemporalRow());
  ExpectGolden("flat_temporal", *Flat(), ev);
}

TEST(FlatFormat, MySqlTypes) {
  TableSchemaPtr t = MySqlProductsTable();
  ChangeEvent ev =
      MakeEvent(Op::kCreate, t, MySqlSource(t->id()), std::nullopt, MySqlProductsRow());
  ExpectGolden("flat_mysql_products", *Flat(), ev);
}

TEST(FlatFormat, DecimalsAreExactStrings) {
  TableSchemaPtr t = DecimalsTable();
  ChangeEvent ev = MakeEvent(Op::kCreate, t, PgSource(t->id()), std::nullopt, DecimalsRow());
  OJson v = ParseRecord(Flat()->value(ev));
  EXPECT_EQ(v["big"], "1234567890123456789012345678901234.5678");
  EXPECT_EQ(v["neg"], "-129.50");
  EXPECT_EQ(v["nan"], "NaN");
  EXPECT_EQ(v["var_inf"], "Infinity");
}

TEST(FlatFormat, MissingColumnsAreLeftOut) {
  std::vector<Column> cols = {Col("id", ColumnType::kInt32, false),
                              Col("body", ColumnType::kString), Col("note", ColumnType::kString)};
  TableSchemaPtr t = MakeTable(TableId{"postgres", "public", "docs"}, cols, {0});
  Row after = RowOf({Value(int64_t{7}), Value(), Value()}, {1});
  ChangeEvent ev = MakeEvent(Op::kUpdate, t, PgSource(t->id()), std::nullopt, after);
  EXPECT_EQ(Flat()->value(ev),
            R"({"id":7,"note":null,"__op":"u","__table":"postgres.public.docs",)"
            R"("__source_ts_ms":1559033904863,"__event_id":"evt-1","__deleted":"false"})");
}

TEST(FlatFormat, KeylessTableHasNullKey) {
  std::vector<Column> cols = {Col("line", ColumnType::kString)};
  TableSchemaPtr t = MakeTable(TableId{"postgres", "public", "log"}, cols, {});
  ChangeEvent ev =
      MakeEvent(Op::kCreate, t, PgSource(t->id()), std::nullopt, RowOf({Value("hello")}));
  EXPECT_FALSE(Flat()->key(ev));
}

TEST(FlatFormat, UnsignedIntegersStayExact) {
  TableSchemaPtr t = MySqlProductsTable();
  ChangeEvent ev =
      MakeEvent(Op::kCreate, t, MySqlSource(t->id()), std::nullopt, MySqlProductsRow());
  std::string v = Flat()->value(ev);
  EXPECT_NE(v.find(R"("qty":18446744073709551615,)"), std::string::npos) << v;
}

}  // namespace
}  // namespace cdc::testing::fmt
