// The Debezium envelope for data events: golden records plus explicit checks
// of the parts consumers depend on most (field order, names, times).
#include "cdc/format/debezium_format.h"

#include <gtest/gtest.h>

#include <set>

#include "cdc/format/debezium_schema.h"
#include "cdc/format/unchanged_placeholder.h"
#include "tests/cdc/format/format_test_support.h"
#include "tests/cdc/format/sample_tables.h"

namespace cdc::testing::fmt {
namespace {

using Strings = std::vector<std::string>;

const Strings kPayloadOrder = {"before", "after", "source", "transaction",
                               "op",     "ts_ms", "ts_us",  "ts_ns"};
const Strings kPgSourceOrder = {"version",  "connector", "name",   "ts_ms",     "snapshot", "db",
                                "sequence", "ts_us",     "ts_ns",  "schema",    "table",    "txId",
                                "lsn",      "xmin",      "origin", "origin_lsn"};

ChangeEvent DocCreate() {
  TableSchemaPtr t = DocCustomers();
  return MakeEvent(Op::kCreate, t, PgSource(t->id()), std::nullopt, DocCustomerRow());
}

// Debezium's documented PostgreSQL create event for customers, field by field.
TEST(DebeziumFormat, CreateEventMatchesDebeziumDocumentedShape) {
  auto format = MakeFormat(Options());
  ChangeEvent ev = DocCreate();
  ExpectGolden("pg_customers_create", *format, ev);

  OJson value = ParseRecord(format->value(ev));
  EXPECT_EQ(Keys(value), (Strings{"schema", "payload"}));
  const OJson& p = value["payload"];
  EXPECT_EQ(Keys(p), kPayloadOrder);
  EXPECT_EQ(Keys(p["source"]), kPgSourceOrder);
  EXPECT_EQ(Keys(p["after"]), (Strings{"id", "first_name", "last_name", "email"}));
  EXPECT_TRUE(p["before"].is_null());
  EXPECT_TRUE(p["transaction"].is_null());
  EXPECT_EQ(p["op"], "c");
  EXPECT_EQ(p["ts_ms"], 1559033904863);  // capture time
  EXPECT_EQ(p["ts_us"], 1559033904863841);
  EXPECT_EQ(p["ts_ns"], 1559033904863841000);
  EXPECT_EQ(p["source"]["ts_ms"], 1559033904863);  // commit time
  EXPECT_EQ(p["source"]["ts_us"], 1559033904863123);
  EXPECT_EQ(p["source"]["version"], "cdcd-0.1.0");
  EXPECT_EQ(p["source"]["snapshot"], "false");
  EXPECT_EQ(p["source"]["db"], "postgres");
  EXPECT_EQ(p["source"]["sequence"], "[\"24023119\",\"24023128\"]");

  const OJson& s = value["schema"];
  EXPECT_EQ(s["name"], "PostgreSQL_server.public.customers.Envelope");
  EXPECT_EQ(s["fields"][0]["name"], "PostgreSQL_server.public.customers.Value");
  EXPECT_EQ(s["fields"][2]["name"], "io.debezium.connector.postgresql.Source");
  EXPECT_EQ(s["fields"][3]["name"], "event.block");

  OJson key = ParseRecord(*format->key(ev));
  EXPECT_EQ(key["schema"]["name"], "PostgreSQL_server.public.customers.Key");
  EXPECT_EQ(key["payload"], OJson::parse(R"({"id":1})"));
}

TEST(DebeziumFormat, UpdateCarriesBeforeAfterAndTransaction) {
  FormatOptions o = Options();
  o.transaction_metadata = true;
  auto format = MakeFormat(o);
  ChangeEvent ev = DocCreate();
  ev.op = Op::kUpdate;
  ev.before = DocCustomerRow();
  ev.after->values[1] = Value("Anne Marie");
  ev.tx = TxInfo{"555:24023128", 3, 2};
  ExpectGolden("pg_customers_update_tx", *format, ev);
  OJson tx = ParseRecord(format->value(ev))["payload"]["transaction"];
  EXPECT_EQ(Keys(tx), (Strings{"id", "total_order", "data_collection_order"}));
  // Without transaction metadata (the default, as Debezium's) the block is null.
  EXPECT_TRUE(ParseRecord(MakeFormat(Options())->value(ev))["payload"]["transaction"].is_null());
}

TEST(DebeziumFormat, DeleteHasOnlyBeforeAndKeyFromIt) {
  auto format = MakeFormat(Options());
  ChangeEvent ev = DocCreate();
  ev.op = Op::kDelete;
  ev.before = ev.after;
  ev.after.reset();
  ExpectGolden("pg_customers_delete", *format, ev);
}

TEST(DebeziumFormat, TruncateHasNullKeyAndNoImages) {
  auto format = MakeFormat(Options(FormatOptions::Envelope::kDebezium, false));
  ChangeEvent ev = DocCreate();
  ev.op = Op::kTruncate;
  ev.after.reset();
  EXPECT_FALSE(format->key(ev));
  ExpectGolden("pg_customers_truncate_noschema", *format, ev);
}

TEST(DebeziumFormat, SnapshotReadCarriesSnapshotMark) {
  auto format = MakeFormat(Options(FormatOptions::Envelope::kDebezium, false));
  ChangeEvent ev = DocCreate();
  ev.op = Op::kRead;
  ev.source.snapshot = SnapshotMark::kLastInTable;
  OJson p = ParseRecord(format->value(ev));
  EXPECT_EQ(p["op"], "r");
  EXPECT_EQ(p["source"]["snapshot"], "last_in_data_collection");
}

TEST(DebeziumFormat, WithoutSchemasKeyAndValueAreBarePayloads) {
  auto format = MakeFormat(Options(FormatOptions::Envelope::kDebezium, false));
  ChangeEvent ev = DocCreate();
  ExpectGolden("pg_customers_create_noschema", *format, ev);
  EXPECT_EQ(*format->key(ev), R"({"id":1})");
  EXPECT_EQ(Keys(ParseRecord(format->value(ev))), kPayloadOrder);
}

// Missing from an after image (unchanged TOAST): Debezium's placeholder by
// default, while a real null stays null. Missing from a before image (not
// logged): null, as Debezium lists every column there.
TEST(DebeziumFormat, MissingColumnsHoldThePlaceholderInAfterAndNullInBefore) {
  std::vector<Column> cols = {Col("id", ColumnType::kInt32, false),
                              Col("body", ColumnType::kString), Col("note", ColumnType::kString)};
  TableSchemaPtr t = MakeTable(TableId{"postgres", "public", "docs"}, cols, {0});
  Row before = RowOf({Value(int64_t{7}), Value(), Value()}, {1});
  Row after = RowOf({Value(int64_t{7}), Value(), Value()}, {1});
  SourceInfo src = PgSource(t->id());
  src.fields.push_back({kUnchangedToastField, ColumnType::kString, Value("body")});
  ChangeEvent ev = MakeEvent(Op::kUpdate, t, src, before, after);
  auto format = MakeFormat(Options());
  ExpectGolden("pg_toast_update", *format, ev);
  OJson v = ParseRecord(format->value(ev));
  const OJson& p = v["payload"];
  EXPECT_EQ(Keys(p["after"]), (Strings{"id", "body", "note"}));
  EXPECT_EQ(p["after"]["body"], "__debezium_unavailable_value");
  EXPECT_TRUE(p["after"]["note"].is_null());
  EXPECT_EQ(Keys(p["before"]), (Strings{"id", "body", "note"}));
  EXPECT_TRUE(p["before"]["body"].is_null());
  EXPECT_EQ(Keys(p["source"]), kPgSourceOrder) << "no unchanged_toast, as Debezium";
  EXPECT_EQ(v["schema"]["fields"][2]["fields"].size(), kPgSourceOrder.size());
}

// unchanged_toast: omit leaves the column out and names it in the source.
TEST(DebeziumFormat, OmitModeLeavesUnchangedColumnsOutAndNamesThem) {
  std::vector<Column> cols = {Col("id", ColumnType::kInt32, false),
                              Col("body", ColumnType::kString)};
  TableSchemaPtr t = MakeTable(TableId{"postgres", "public", "docs"}, cols, {0});
  SourceInfo src = PgSource(t->id());
  src.fields.push_back({kUnchangedToastField, ColumnType::kString, Value("body")});
  ChangeEvent ev =
      MakeEvent(Op::kUpdate, t, src, std::nullopt, RowOf({Value(int64_t{7}), Value()}, {1}));
  FormatOptions o = Options();
  o.unchanged = FormatOptions::Unchanged::kOmit;
  OJson v = ParseRecord(MakeFormat(o)->value(ev));
  EXPECT_EQ(Keys(v["payload"]["after"]), (Strings{"id"}));
  EXPECT_EQ(v["payload"]["source"]["unchanged_toast"], "body");
  EXPECT_EQ(v["schema"]["fields"][2]["fields"].back()["field"], "unchanged_toast");
}

// The placeholder takes the column's shape, as Debezium's
// UnchangedToastedPlaceholder: text, bytes, lists of those, byte numbers for
// int/bigint/date arrays; a configured placeholder replaces the default; a
// column without such a shape (a precise decimal) is left out.
TEST(DebeziumFormat, PlaceholderTakesTheColumnsShape) {
  auto array_of = [](std::string name, ColumnType element) {
    Column c = Col(std::move(name), ColumnType::kArray);
    c.element_type = element;
    return c;
  };
  std::vector<Column> cols = {
      Col("id", ColumnType::kInt32, false),  Col("doc", ColumnType::kJson),
      Col("blob", ColumnType::kBytes),       array_of("tags", ColumnType::kString),
      array_of("blobs", ColumnType::kBytes), array_of("ints", ColumnType::kInt32),
      array_of("days", ColumnType::kDate),   Col("amount", ColumnType::kDecimal)};
  TableSchemaPtr t = MakeTable(TableId{"postgres", "public", "shapes"}, cols, {0});
  std::vector<Value> values(cols.size());
  values[0] = Value(int64_t{1});
  ChangeEvent ev = MakeEvent(Op::kUpdate, t, PgSource(t->id()), std::nullopt,
                             RowOf(values, {1, 2, 3, 4, 5, 6, 7}));
  FormatOptions o = Options(FormatOptions::Envelope::kDebezium, false);
  o.toast_placeholder = "__x";
  OJson after = ParseRecord(MakeFormat(o)->value(ev))["after"];
  EXPECT_EQ(after["doc"], "__x");
  EXPECT_EQ(after["blob"], "X194");  // base64 of "__x"
  EXPECT_EQ(after["tags"], OJson::parse(R"(["__x"])"));
  EXPECT_EQ(after["blobs"], OJson::parse(R"(["X194"])"));
  EXPECT_EQ(after["ints"], OJson::parse("[95,95,120]"));
  EXPECT_EQ(after["days"], OJson::parse("[95,95,120]"));
  EXPECT_FALSE(after.contains("amount"));
  EXPECT_EQ(format::PlaceholderForms("__x"),
            (Strings{R"("__x")", R"("X194")", R"(["__x"])", R"(["X194"])", "[95,95,120]"}));
}

// PostgreSQL's xml is a string to cdcd; Debezium names its schema.
TEST(DebeziumFormat, XmlColumnsAreNamedLikeDebeziums) {
  Column c = Col("doc", ColumnType::kString);
  c.source_type = "xml";
  OJson s = OJson::parse(format::ColumnSchema(c, Options()).Dump());
  EXPECT_EQ(s["type"], "string");
  EXPECT_EQ(s["name"], "io.debezium.data.Xml");
  EXPECT_EQ(s["version"], 1);
}

// MySQL BIGINT UNSIGNED as Debezium's bigint.unsigned.handling.mode: `long`
// (the default) keeps the bits in an int64, `precise` a Decimal of scale 0.
TEST(DebeziumFormat, BigintUnsignedIsLongByDefaultOrPreciseDecimal) {
  std::vector<Column> cols = {Col("id", ColumnType::kInt32, false), Col("u", ColumnType::kUInt64)};
  TableSchemaPtr t = MakeTable(TableId{"inventory", "", "nums"}, cols, {0});
  ChangeEvent ev = MakeEvent(Op::kCreate, t, PgSource(t->id()), std::nullopt,
                             RowOf({Value(int64_t{1}), Value(UINT64_MAX)}));
  FormatOptions o = Options();
  OJson v = ParseRecord(MakeFormat(o)->value(ev));
  EXPECT_EQ(v["payload"]["after"]["u"], -1);
  EXPECT_EQ(v["schema"]["fields"][1]["fields"][1]["type"], "int64");
  o.bigint_unsigned = FormatOptions::BigIntUnsigned::kPrecise;
  v = ParseRecord(MakeFormat(o)->value(ev));
  EXPECT_EQ(v["payload"]["after"]["u"], "AP//////////");
  EXPECT_EQ(v["schema"]["fields"][1]["fields"][1]["name"], "org.apache.kafka.connect.data.Decimal");
}

TEST(DebeziumFormat, KeylessTableHasNullKey) {
  std::vector<Column> cols = {Col("line", ColumnType::kString)};
  TableSchemaPtr t = MakeTable(TableId{"postgres", "public", "log"}, cols, {});
  ChangeEvent ev =
      MakeEvent(Op::kCreate, t, PgSource(t->id()), std::nullopt, RowOf({Value("hello")}));
  for (bool schemas : {true, false}) {
    auto format = MakeFormat(Options(FormatOptions::Envelope::kDebezium, schemas));
    EXPECT_FALSE(format->key(ev));
    OJson v = ParseRecord(format->value(ev));
    EXPECT_EQ((schemas ? v["payload"] : v)["after"]["line"], "hello");
  }
}

TEST(DebeziumFormat, AllColumnTypesAdaptivePrecise) {
  TableSchemaPtr t = AllTypesTable();
  ChangeEvent ev = MakeEvent(Op::kCreate, t, PgSource(t->id()), std::nullopt, AllTypesRow());
  ExpectGolden("pg_all_types", *MakeFormat(Options()), ev);
}

// Kafka's JsonConverter reads a schema's "type" with its own names and
// throws DataException on any other (e.g. "float32"): every schema cdcd
// writes, for every column type and option, must use only these.
void ExpectConnectTypeNames(const OJson& schema, const std::string& path) {
  static const std::set<std::string> kKnown = {"boolean", "int8",  "int16",  "int32",
                                               "int64",   "float", "double", "bytes",
                                               "string",  "array", "map",    "struct"};
  ASSERT_TRUE(schema.contains("type")) << path;
  EXPECT_TRUE(kKnown.count(schema["type"].get<std::string>()))
      << path << ": JsonConverter has no schema type " << schema["type"];
  if (schema.contains("fields")) {
    for (const auto& f : schema["fields"]) {
      ExpectConnectTypeNames(f, path + "." + f.value("field", std::string("?")));
    }
  }
  if (schema.contains("items")) ExpectConnectTypeNames(schema["items"], path + "[]");
  if (schema.contains("keys")) ExpectConnectTypeNames(schema["keys"], path + "{key}");
  if (schema.contains("values")) ExpectConnectTypeNames(schema["values"], path + "{value}");
}

TEST(DebeziumFormat, EverySchemaTypeNameIsOneJsonConverterKnows) {
  using DH = FormatOptions::DecimalHandling;
  using TP = FormatOptions::TimePrecision;
  const std::vector<std::pair<TableSchemaPtr, Row>> tables = {{AllTypesTable(), AllTypesRow()},
                                                              {DocCustomers(), DocCustomerRow()}};
  for (const auto& [t, row] : tables) {
    for (DH dh : {DH::kPrecise, DH::kString, DH::kDouble}) {
      for (TP tp : {TP::kAdaptive, TP::kConnect, TP::kIsoString}) {
        FormatOptions o = Options();
        o.decimal_handling = dh;
        o.time_precision = tp;
        auto format = MakeFormat(o);
        for (const auto& src : {PgSource(t->id()), MySqlSource(t->id())}) {
          ChangeEvent ev = MakeEvent(Op::kCreate, t, src, std::nullopt, row);
          ExpectConnectTypeNames(ParseRecord(format->value(ev))["schema"], "value");
          if (auto key = format->key(ev))
            ExpectConnectTypeNames(ParseRecord(*key)["schema"], "key");
        }
      }
    }
  }
}

TEST(DebeziumFormat, NullValuesStayNull) {
  TableSchemaPtr t = AllTypesTable();
  Row row = AllTypesRow();
  for (size_t i = 1; i < row.values.size(); ++i) row.values[i] = Value();
  ChangeEvent ev = MakeEvent(Op::kCreate, t, PgSource(t->id()), std::nullopt, row);
  OJson after = ParseRecord(
      MakeFormat(Options(FormatOptions::Envelope::kDebezium, false))->value(ev))["after"];
  ASSERT_EQ(after.size(), t->columns().size());
  for (size_t i = 1; i < t->columns().size(); ++i)
    EXPECT_TRUE(after[t->columns()[i].name].is_null()) << t->columns()[i].name;
}

FormatOptions DecimalOptions(FormatOptions::DecimalHandling h) {
  FormatOptions o = Options();
  o.decimal_handling = h;
  return o;
}

TEST(DebeziumFormat, DecimalsPrecise) {
  TableSchemaPtr t = DecimalsTable();
  ChangeEvent ev = MakeEvent(Op::kCreate, t, PgSource(t->id()), std::nullopt, DecimalsRow());
  ExpectGolden("decimals_precise",
               *MakeFormat(DecimalOptions(FormatOptions::DecimalHandling::kPrecise)), ev);
}

TEST(DebeziumFormat, DecimalsString) {
  TableSchemaPtr t = DecimalsTable();
  ChangeEvent ev = MakeEvent(Op::kCreate, t, PgSource(t->id()), std::nullopt, DecimalsRow());
  ExpectGolden("decimals_string",
               *MakeFormat(DecimalOptions(FormatOptions::DecimalHandling::kString)), ev);
}

TEST(DebeziumFormat, DecimalsDouble) {
  TableSchemaPtr t = DecimalsTable();
  ChangeEvent ev = MakeEvent(Op::kCreate, t, PgSource(t->id()), std::nullopt, DecimalsRow());
  ExpectGolden("decimals_double",
               *MakeFormat(DecimalOptions(FormatOptions::DecimalHandling::kDouble)), ev);
}

FormatOptions TimeOptions(FormatOptions::TimePrecision p) {
  FormatOptions o = Options();
  o.time_precision = p;
  return o;
}

TEST(DebeziumFormat, TemporalAdaptive) {
  TableSchemaPtr t = TemporalTable();
  ChangeEvent ev = MakeEvent(Op::kCreate, t, PgSource(t->id()), std::nullopt, TemporalRow());
  ExpectGolden("temporal_adaptive",
               *MakeFormat(TimeOptions(FormatOptions::TimePrecision::kAdaptive)), ev);
}

TEST(DebeziumFormat, TemporalConnect) {
  TableSchemaPtr t = TemporalTable();
  ChangeEvent ev = MakeEvent(Op::kCreate, t, PgSource(t->id()), std::nullopt, TemporalRow());
  ExpectGolden("temporal_connect", *MakeFormat(TimeOptions(FormatOptions::TimePrecision::kConnect)),
               ev);
}

TEST(DebeziumFormat, TemporalIsoString) {
  TableSchemaPtr t = TemporalTable();
  ChangeEvent ev = MakeEvent(Op::kCreate, t, PgSource(t->id()), std::nullopt, TemporalRow());
  ExpectGolden("temporal_isostring",
               *MakeFormat(TimeOptions(FormatOptions::TimePrecision::kIsoString)), ev);
}

TEST(DebeziumFormat, MySqlSourceAndTypes) {
  TableSchemaPtr t = MySqlProductsTable();
  ChangeEvent ev =
      MakeEvent(Op::kCreate, t, MySqlSource(t->id()), std::nullopt, MySqlProductsRow());
  auto format = MakeFormat(Options());
  ExpectGolden("mysql_products", *format, ev);
  OJson v = ParseRecord(format->value(ev));
  EXPECT_EQ(v["schema"]["name"], "mysql_server.inventory.products.Envelope");
  EXPECT_EQ(
      Keys(v["payload"]["source"]),
      (Strings{"version", "connector", "name", "ts_ms", "snapshot", "db", "sequence", "ts_us",
               "ts_ns", "table", "server_id", "gtid", "file", "pos", "row", "thread", "query"}));
}

TEST(DebeziumFormat, OtherConnectorsGetCdcdSourceName) {
  TableSchemaPtr t = CustomersSchema();
  ChangeEvent ev = CustomerEvent(Op::kCreate, 1, "Ann", 7, 0);
  ev.source.connector = "generator";
  ev.source.sequence = SourceSequence{std::nullopt, 42};
  OJson v = ParseRecord(MakeFormat(Options())->value(ev));
  EXPECT_EQ(v["payload"]["source"]["sequence"], "[null,\"42\"]");
  EXPECT_EQ(v["schema"]["fields"][2]["name"], "io.cdcd.connector.generator.Source");
  EXPECT_EQ(Keys(v["payload"]["source"]),
            (Strings{"version", "connector", "name", "ts_ms", "snapshot", "db", "sequence", "ts_us",
                     "ts_ns", "schema", "table"}));
  EXPECT_EQ(v["payload"]["after"]["score"], "BOI=");
}

// Column defaults as Debezium 3.6.1 writes them (captured with JsonConverter):
// "default" after name/version/parameters and before "field", in the
// payload's encoding.
Column WithDefault(Column c, Value v) {
  c.default_value = std::move(v);
  return c;
}

TableSchemaPtr DefaultsTable() {
  std::vector<Column> cols = {Col("id", ColumnType::kInt32, false),
                              WithDefault(Col("v", ColumnType::kInt32, false), Value(int64_t{0})),
                              WithDefault(Col("note", ColumnType::kString), Value("n/a")),
                              WithDefault(Col("born", ColumnType::kDate), Value(Date{18262})),
                              WithDefault(Numeric("amount", 8, 2, false), Value(Decimal{"1.5"})),
                              Col("plain", ColumnType::kString)};
  return MakeTable(TableId{"postgres", "public", "evolving"}, cols, {0});
}

TEST(DebeziumFormat, FieldSchemasCarryColumnDefaultsLikeDebeziums) {
  TableSchemaPtr t = DefaultsTable();
  ChangeEvent ev = MakeEvent(Op::kCreate, t, PgSource(t->id()), std::nullopt,
                             RowOf({Value(int64_t{1}), Value(int64_t{2}), Value(), Value(),
                                    Value(Decimal{"2.25"}), Value()}));
  OJson row = ParseRecord(MakeFormat(Options())->value(ev))["schema"]["fields"][0]["fields"];
  EXPECT_EQ(row[1].dump(), R"({"type":"int32","optional":false,"default":0,"field":"v"})");
  EXPECT_EQ(row[2].dump(), R"({"type":"string","optional":true,"default":"n/a","field":"note"})");
  EXPECT_EQ(row[3].dump(),
            R"({"type":"int32","optional":true,"name":"io.debezium.time.Date","version":1,)"
            R"("default":18262,"field":"born"})");
  EXPECT_EQ(row[4].dump(),
            R"({"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal",)"
            R"("version":1,"parameters":{"scale":"2","connect.decimal.precision":"8"},)"
            R"("default":"AJY=","field":"amount"})");
  EXPECT_FALSE(row[5].contains("default"));
  EXPECT_FALSE(row[0].contains("default"));
}

TEST(DebeziumFormat, DefaultsFollowDecimalAndTimeOptions) {
  FormatOptions o = Options();
  o.decimal_handling = FormatOptions::DecimalHandling::kString;
  o.time_precision = FormatOptions::TimePrecision::kIsoString;
  TableSchemaPtr t = DefaultsTable();
  OJson amount = format::ColumnSchema(t->columns()[4], o).ToJson();
  EXPECT_EQ(amount["default"], "1.5");
  EXPECT_EQ(format::ColumnSchema(t->columns()[3], o).ToJson()["default"], "2020-01-01Z");
  // An array's elements do not inherit the array's default.
  Column tags = WithDefault(ArrayOf("tags", ColumnType::kString), Value::ArrayOf({Value("a")}));
  OJson s = format::ColumnSchema(tags, Options()).ToJson();
  EXPECT_EQ(s["default"], OJson::parse(R"(["a"])"));
  EXPECT_FALSE(s["items"].contains("default"));
}

// A before image PostgreSQL logged only in part (the key): a NOT NULL column
// it left out gets its default, else its type's zero, as Debezium's
// JdbcValueConverters fallbacks (null would fail JsonConverter on a required
// field); a nullable one stays null.
TEST(DebeziumFormat, AbsentNotNullColumnsInBeforeTakeDefaultOrZero) {
  std::vector<Column> cols = {Col("id", ColumnType::kInt32, false),
                              WithDefault(Col("v", ColumnType::kInt32, false), Value(int64_t{5})),
                              Col("n", ColumnType::kInt64, false),
                              Col("s", ColumnType::kString, false),
                              Col("b", ColumnType::kBoolean, false),
                              Numeric("d", 5, 2, false),
                              Col("day", ColumnType::kDate, false),
                              Col("at", ColumnType::kTimestampTz, false),
                              Col("raw", ColumnType::kBytes, false),
                              Col("f", ColumnType::kFloat64, false),
                              WithDefault(Col("note", ColumnType::kString), Value("n/a")),
                              Col("opt", ColumnType::kInt32)};
  TableSchemaPtr t = MakeTable(TableId{"postgres", "public", "partial"}, cols, {0});
  std::vector<Value> values(cols.size());
  values[0] = Value(int64_t{3});
  std::vector<uint32_t> missing;
  for (uint32_t i = 1; i < cols.size(); ++i) missing.push_back(i);
  ChangeEvent ev =
      MakeEvent(Op::kDelete, t, PgSource(t->id()), RowOf(values, missing), std::nullopt);
  OJson before = ParseRecord(MakeFormat(Options())->value(ev))["payload"]["before"];
  // Debezium's timestamptz fallback is the same instant without fraction
  // digits ("1970-01-01T00:00:00Z"); cdcd keeps the column's precision.
  EXPECT_EQ(before.dump(),
            R"({"id":3,"v":5,"n":0,"s":"","b":false,"d":"AA==","day":0,)"
            R"("at":"1970-01-01T00:00:00.000000Z","raw":"","f":0.0,"note":null,"opt":null})");
}

}  // namespace
}  // namespace cdc::testing::fmt
