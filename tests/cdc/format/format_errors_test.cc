// Inputs the formats cannot represent: they throw cdc::Error naming the
// table and column (or the event), and never emit invalid JSON.
#include <gtest/gtest.h>

#include "cdc/error.h"
#include "tests/cdc/format/format_test_support.h"
#include "tests/cdc/format/sample_tables.h"

namespace cdc::testing::fmt {
namespace {

// The message of the Error that `fn` throws ("" if it throws none).
template <typename Fn>
std::string ErrorOf(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

ChangeEvent DecimalEvent(const std::string& price) {
  TableSchemaPtr t = DecimalsTable();
  Row row = DecimalsRow();
  row.values[1] = Value(Decimal{price});
  return MakeEvent(Op::kCreate, t, PgSource(t->id()), std::nullopt, row);
}

TEST(FormatErrors, MalformedDecimalNamesTableAndColumn) {
  ChangeEvent ev = DecimalEvent("1.2.3");
  for (auto h : {FormatOptions::DecimalHandling::kPrecise, FormatOptions::DecimalHandling::kString,
                 FormatOptions::DecimalHandling::kDouble}) {
    FormatOptions o = Options();
    o.decimal_handling = h;
    std::string msg = ErrorOf([&] { MakeFormat(o)->value(ev); });
    EXPECT_NE(msg.find("postgres.public.decimals"), std::string::npos) << msg;
    EXPECT_NE(msg.find("price"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'1.2.3'"), std::string::npos) << msg;
  }
  std::string msg =
      ErrorOf([&] { MakeFormat(Options(FormatOptions::Envelope::kFlat))->value(ev); });
  EXPECT_NE(msg.find("price"), std::string::npos) << msg;
}

TEST(FormatErrors, NaNInRequiredPreciseDecimalThrows) {
  std::string msg = ErrorOf([] { MakeFormat(Options())->value(DecimalEvent("NaN")); });
  EXPECT_NE(msg.find("price"), std::string::npos) << msg;
  EXPECT_NE(msg.find("NaN"), std::string::npos) << msg;
}

TEST(FormatErrors, DecimalWiderThanItsScaleThrows) {
  std::string msg = ErrorOf([] { MakeFormat(Options())->value(DecimalEvent("1.234")); });
  EXPECT_NE(msg.find("scale"), std::string::npos) << msg;
  // Trailing zeros beyond the scale are harmless.
  OJson v = ParseRecord(MakeFormat(Options())->value(DecimalEvent("12.5000")));
  EXPECT_EQ(v["payload"]["after"]["price"], "BOI=");
}

TEST(FormatErrors, WrongValueKindNamesTheColumn) {
  TableSchemaPtr t = DocCustomers();
  Row row = DocCustomerRow();
  row.values[0] = Value("one");
  ChangeEvent ev = MakeEvent(Op::kCreate, t, PgSource(t->id()), std::nullopt, row);
  for (auto env : {FormatOptions::Envelope::kDebezium, FormatOptions::Envelope::kFlat}) {
    std::string msg = ErrorOf([&] { MakeFormat(Options(env))->value(ev); });
    EXPECT_NE(msg.find("postgres.public.customers, column id (int32)"), std::string::npos) << msg;
  }
}

TEST(FormatErrors, DataEventWithoutSchemaThrows) {
  ChangeEvent ev = MakeEvent(Op::kCreate, nullptr, PgSource(TableId{"db", "s", "t"}), std::nullopt,
                             RowOf({Value(int64_t{1})}));
  ev.id = "evt-42";
  for (auto env : {FormatOptions::Envelope::kDebezium, FormatOptions::Envelope::kFlat}) {
    std::string msg = ErrorOf([&] { MakeFormat(Options(env))->value(ev); });
    EXPECT_NE(msg.find("evt-42"), std::string::npos) << msg;
    EXPECT_NE(msg.find("db.s.t"), std::string::npos) << msg;
  }
}

TEST(FormatErrors, InvalidJsonColumnIsRejectedByFlatOnly) {
  TableSchemaPtr t = AllTypesTable();
  Row row = AllTypesRow();
  row.values[12] = Value(Json{"{\"a\": "});
  ChangeEvent ev = MakeEvent(Op::kCreate, t, PgSource(t->id()), std::nullopt, row);
  std::string msg =
      ErrorOf([&] { MakeFormat(Options(FormatOptions::Envelope::kFlat))->value(ev); });
  EXPECT_NE(msg.find("column doc"), std::string::npos) << msg;
  // Debezium carries JSON as a string: still valid output.
  ParseRecord(MakeFormat(Options())->value(ev));
}

TEST(FormatErrors, MalformedTransactionDetailsThrow) {
  ChangeEvent ev;
  ev.id = "tx-9:end";
  ev.op = Op::kTxEnd;
  ev.source = PgSource(TableId{});
  ev.control = {{"data_collections", {{{"data_collection", "public.t"}}}}};
  std::string msg = ErrorOf([&] { MakeFormat(Options())->value(ev); });
  EXPECT_NE(msg.find("tx-9:end"), std::string::npos) << msg;
  EXPECT_NE(msg.find("event_count"), std::string::npos) << msg;
}

TEST(FormatErrors, MillisecondTimeOutOfInt32Throws) {
  std::vector<Column> cols = {Col("id", ColumnType::kInt32, false),
                              WithPrecision(Col("t", ColumnType::kTime), 0)};
  TableSchemaPtr t = MakeTable(TableId{"inventory", "", "shifts"}, cols, {0});
  Row row = RowOf({Value(int64_t{1}), Value(Time{838LL * 3600 * 1'000'000})});  // 838 h
  ChangeEvent ev = MakeEvent(Op::kCreate, t, MySqlSource(t->id()), std::nullopt, row);
  std::string msg = ErrorOf([&] { MakeFormat(Options())->value(ev); });
  EXPECT_NE(msg.find("column t"), std::string::npos) << msg;
  // The flat format and microsecond encodings carry it.
  EXPECT_NE(MakeFormat(Options(FormatOptions::Envelope::kFlat))->value(ev).find("838:00:00"),
            std::string::npos);
}

TEST(FormatErrors, InvalidUtf8StillYieldsValidJson) {
  TableSchemaPtr t = DocCustomers();
  Row row = DocCustomerRow();
  row.values[1] = Value(std::string("An\xffne\x01"));
  ChangeEvent ev = MakeEvent(Op::kCreate, t, PgSource(t->id()), std::nullopt, row);
  for (auto env : {FormatOptions::Envelope::kDebezium, FormatOptions::Envelope::kFlat}) {
    OJson v = ParseRecord(MakeFormat(Options(env, false))->value(ev));
    const OJson& after = env == FormatOptions::Envelope::kFlat ? v : v["after"];
    EXPECT_EQ(after["first_name"], "An\xEF\xBF\xBDne\x01");
  }
}

}  // namespace
}  // namespace cdc::testing::fmt
