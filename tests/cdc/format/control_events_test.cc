// Control events (heartbeat, transaction metadata, schema change) in the
// Debezium envelope and in the flat envelope.
#include <gtest/gtest.h>

#include "tests/cdc/format/format_test_support.h"
#include "tests/cdc/format/sample_tables.h"

namespace cdc::testing::fmt {
namespace {

using Strings = std::vector<std::string>;

ChangeEvent Heartbeat() {
  ChangeEvent ev;
  ev.id = "hb-1";
  ev.op = Op::kHeartbeat;
  ev.source = PgSource(TableId{});
  ev.source.fields.clear();
  ev.capture_ts_us = kCaptureUs;
  return ev;
}

ChangeEvent TxBegin() {
  ChangeEvent ev;
  ev.id = "tx-555:begin";
  ev.op = Op::kTxBegin;
  ev.source = PgSource(TableId{"postgres", "", ""});
  ev.capture_ts_us = kCaptureUs;
  return ev;
}

ChangeEvent TxEnd() {
  ChangeEvent ev = TxBegin();
  ev.id = "tx-555:end";
  ev.op = Op::kTxEnd;
  ev.control = nlohmann::json::parse(R"({
    "event_count": 3,
    "data_collections": [
      {"data_collection": "public.customers", "event_count": 2},
      {"data_collection": "public.orders", "event_count": 1}
    ]})");
  return ev;
}

ChangeEvent MySqlSchemaChange() {
  TableSchemaPtr t = MySqlProductsTable();
  ChangeEvent ev;
  ev.id = "ddl-1";
  ev.op = Op::kSchemaChange;
  ev.source = MySqlSource(t->id());
  ev.schema = t;
  ev.capture_ts_us = kCaptureUs;
  ev.control = {{"ddl", "ALTER TABLE products ADD notes varchar(255)"}};
  return ev;
}

TEST(DebeziumControl, HeartbeatHasServerNameKeyAndTimestamp) {
  auto format = MakeFormat(Options());
  ChangeEvent ev = Heartbeat();
  ExpectGolden("heartbeat", *format, ev);
  auto bare = MakeFormat(Options(FormatOptions::Envelope::kDebezium, false));
  EXPECT_EQ(*bare->key(ev), R"({"serverName":"PostgreSQL_server"})");
  EXPECT_EQ(bare->value(ev), R"({"ts_ms":1559033904863})");
}

TEST(DebeziumControl, TransactionBegin) {
  auto format = MakeFormat(Options());
  ChangeEvent ev = TxBegin();
  ExpectGolden("tx_begin", *format, ev);
  OJson p = ParseRecord(format->value(ev))["payload"];
  EXPECT_EQ(Keys(p), (Strings{"status", "id", "event_count", "data_collections", "ts_ms"}));
  EXPECT_EQ(p["status"], "BEGIN");
  EXPECT_TRUE(p["event_count"].is_null());
}

TEST(DebeziumControl, TransactionEndCountsEvents) {
  auto format = MakeFormat(Options(FormatOptions::Envelope::kDebezium, false));
  ChangeEvent ev = TxEnd();
  ExpectGolden("tx_end_noschema", *format, ev);
  ev.control = nullptr;  // no details: counts unknown
  OJson p = ParseRecord(format->value(ev));
  EXPECT_TRUE(p["event_count"].is_null());
  EXPECT_TRUE(p["data_collections"].is_null());
}

TEST(DebeziumControl, TransactionIdFallsBackToTxInfo) {
  ChangeEvent ev = TxBegin();
  ev.source.tx_id.clear();
  ev.tx = TxInfo{"777", 0, 0};
  auto format = MakeFormat(Options(FormatOptions::Envelope::kDebezium, false));
  EXPECT_EQ(*format->key(ev), R"({"id":"777"})");
}

TEST(DebeziumControl, SchemaChangeDescribesTheNewTable) {
  auto format = MakeFormat(Options());
  ChangeEvent ev = MySqlSchemaChange();
  ExpectGolden("schema_change_mysql", *format, ev);
  OJson v = ParseRecord(format->value(ev));
  EXPECT_EQ(v["schema"]["name"], "io.debezium.connector.mysql.SchemaChangeValue");
  EXPECT_EQ(Keys(v["payload"]),
            (Strings{"source", "ts_ms", "databaseName", "schemaName", "ddl", "tableChanges"}));
  OJson key = ParseRecord(*format->key(ev));
  EXPECT_EQ(key["schema"]["name"], "io.debezium.connector.mysql.SchemaChangeKey");
  EXPECT_EQ(key["payload"], OJson::parse(R"({"databaseName":"inventory"})"));
}

TEST(DebeziumControl, SchemaChangeTypeAndDroppedTable) {
  ChangeEvent ev = MySqlSchemaChange();
  ev.schema = nullptr;
  ev.control = {{"type", "DROP"}};
  auto format = MakeFormat(Options(FormatOptions::Envelope::kDebezium, false));
  OJson p = ParseRecord(format->value(ev));
  EXPECT_TRUE(p["ddl"].is_null());
  ASSERT_EQ(p["tableChanges"].size(), 1u);
  EXPECT_EQ(p["tableChanges"][0]["type"], "DROP");
  EXPECT_EQ(p["tableChanges"][0]["id"], "\"inventory\".\"products\"");
  EXPECT_TRUE(p["tableChanges"][0]["table"].is_null());
}

TEST(DebeziumControl, SchemaChangeOnPostgresTable) {
  TableSchemaPtr t = DecimalsTable();
  ChangeEvent ev;
  ev.id = "ddl-2";
  ev.op = Op::kSchemaChange;
  ev.source = PgSource(t->id());
  ev.schema = t;
  ev.control = {{"type", "CREATE"}, {"ddl", "CREATE TABLE decimals (...)"}};
  auto format = MakeFormat(Options(FormatOptions::Envelope::kDebezium, false));
  ExpectGolden("schema_change_pg_noschema", *format, ev);
}

TEST(FlatControl, ControlEventsAreTaggedObjects) {
  auto format = MakeFormat(Options(FormatOptions::Envelope::kFlat));
  ExpectGolden("flat_heartbeat", *format, Heartbeat());
  ExpectGolden("flat_tx_end", *format, TxEnd());
  ExpectGolden("flat_schema_change", *format, MySqlSchemaChange());
}

}  // namespace
}  // namespace cdc::testing::fmt
