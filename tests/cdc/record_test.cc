#include "cdc/record.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "tests/support/test_support.h"

namespace cdc {
namespace {

using testing::CustomerEvent;

// Renders just enough to see which event a record came from.
class IdFormat : public Format {
 public:
  std::optional<std::string> key(const ChangeEvent& ev) const override {
    auto k = ev.key();
    if (k.empty()) return std::nullopt;
    return std::to_string(k[0].as<int64_t>());
  }
  std::string value(const ChangeEvent& ev) const override { return ev.id; }
};

RecordBuilder Builder(const std::string& yaml, bool tombstones = true) {
  ConfigNode sink(YAML::Load(yaml), "t.yaml", "sink");
  return RecordBuilder(TopicRouting::FromConfig(sink, "shop", tombstones),
                       std::make_shared<IdFormat>());
}

std::vector<Record> Build(RecordBuilder& b, const ChangeEvent& ev) {
  std::vector<Record> out;
  b.build(ev, out);
  return out;
}

std::vector<Record> Build(RecordBuilder&& b, const ChangeEvent& ev) {
  return Build(b, ev);
}

TEST(RecordBuilderTest, DefaultTopicIsPrefixSchemaTable) {
  auto recs = Build(Builder("type: file"), CustomerEvent(Op::kCreate, 1, "a", 3, 0));
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].topic, "shop.public.customers");
  EXPECT_EQ(recs[0].key, "1");
  EXPECT_EQ(recs[0].value, "tx-3:0");
  ASSERT_EQ(recs[0].headers.size(), 3u);
  EXPECT_EQ(recs[0].headers[0].name, "cdcd.event_id");
  EXPECT_EQ(recs[0].headers[0].value, "tx-3:0");
  EXPECT_EQ(recs[0].headers[1].value, "c");
  EXPECT_EQ(recs[0].headers[2].value, "1700000000003");
}

TEST(RecordBuilderTest, WithoutSchemaTheDatabaseNamesTheTopic) {
  ChangeEvent ev = CustomerEvent(Op::kCreate, 1, "a", 3, 0);
  ev.source.table = TableId{"inventory", "", "customers"};
  EXPECT_EQ(Build(Builder("type: file"), ev)[0].topic, "shop.inventory.customers");
}

TEST(RecordBuilderTest, TemplateAndOverrides) {
  RecordBuilder b = Builder(R"(
topic: "cdc_{database}_{table}"
topic_prefix: p
topics: {inventory.public.customers: "{prefix}.people"}
)");
  EXPECT_EQ(b.topic_for(TableId{"inventory", "public", "customers"}), "p.people");
  EXPECT_EQ(b.topic_for(TableId{"inventory", "public", "orders"}), "cdc_inventory_orders");
}

// Overrides name tables as the source's `tables` does (PostgreSQL
// "schema.table", MySQL "database.table"), or with the database in front.
TEST(RecordBuilderTest, OverridesMatchTheTableAsTheSourceNamesIt) {
  RecordBuilder b = Builder(R"(
topics: {public.orders: shop.orders, inventory.public.customers: people, shop.items: items}
)");
  EXPECT_EQ(b.topic_for(TableId{"inventory", "public", "orders"}), "shop.orders");
  EXPECT_EQ(b.topic_for(TableId{"inventory", "public", "customers"}), "people");
  EXPECT_EQ(b.topic_for(TableId{"shop", "", "items"}), "items");
  EXPECT_EQ(b.topic_for(TableId{"inventory", "other", "orders"}), "shop.other.orders");
}

TEST(RecordBuilderTest, DeleteIsFollowedByATombstoneUnlessDisabled) {
  auto recs = Build(Builder("type: file"), CustomerEvent(Op::kDelete, 9, "a", 1, 0));
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].value, "tx-1:0");
  EXPECT_EQ(recs[1].key, "9");
  EXPECT_FALSE(recs[1].value.has_value());
  EXPECT_EQ(Build(Builder("type: file", false), CustomerEvent(Op::kDelete, 9, "a", 1, 0)).size(),
            1u);
}

// As Debezium: a table without a key gets its tombstone too, null key and value.
TEST(RecordBuilderTest, KeylessDeleteIsFollowedByANullTombstone) {
  ChangeEvent ev = CustomerEvent(Op::kDelete, 9, "a", 1, 0);
  ev.schema = std::make_shared<TableSchema>(ev.schema->id(), 1, ev.schema->columns(),
                                            std::vector<size_t>{});
  auto recs = Build(Builder("type: file"), ev);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_FALSE(recs[0].key.has_value());
  EXPECT_EQ(recs[0].value, "tx-1:0");
  EXPECT_FALSE(recs[1].key.has_value());
  EXPECT_FALSE(recs[1].value.has_value());
}

std::string HeaderOf(const Record& r, const std::string& name) {
  for (const Header& h : r.headers) {
    if (h.name == name) return h.value;
  }
  return "<none>";
}

// As Debezium: a delete under the old key, its tombstone, a create under the
// new key; both parts carry the event's id, the headers name the other key.
TEST(RecordBuilderTest, AKeyChangeIsADeleteTombstoneAndCreate) {
  ChangeEvent ev = CustomerEvent(Op::kUpdate, 7, "a", 2, 1);
  ev.after->values[0] = Value(int64_t{8});
  auto recs = Build(Builder("type: file"), ev);
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[0].key, "7");
  EXPECT_EQ(HeaderOf(recs[0], "cdcd.op"), "d");
  EXPECT_EQ(HeaderOf(recs[0], "__debezium.newkey"), "8");
  EXPECT_EQ(recs[1].key, "7");
  EXPECT_FALSE(recs[1].value.has_value());
  EXPECT_EQ(recs[2].key, "8");
  EXPECT_EQ(HeaderOf(recs[2], "cdcd.op"), "c");
  EXPECT_EQ(HeaderOf(recs[2], "__debezium.oldkey"), "7");
  for (const Record& r : recs) EXPECT_EQ(HeaderOf(r, "cdcd.event_id"), "tx-2:1");

  // Without tombstones: the delete and the create.
  ASSERT_EQ(Build(Builder("type: file", false), ev).size(), 2u);
  // The same key, or a before image that does not hold it: one update.
  EXPECT_EQ(Build(Builder("type: file"), CustomerEvent(Op::kUpdate, 7, "a", 2, 1)).size(), 1u);
  ev.before->missing = {0};
  ASSERT_EQ(Build(Builder("type: file"), ev).size(), 1u);
}

TEST(RecordBuilderTest, ControlEventsGoToTheirTopicsOrNowhere) {
  ChangeEvent hb;
  hb.id = "hb-1";
  hb.op = Op::kHeartbeat;
  EXPECT_EQ(Build(Builder("type: file"), hb)[0].topic, "__cdcd_heartbeat.shop");
  EXPECT_TRUE(Build(Builder("heartbeat_topic: ''"), hb).empty());
  ChangeEvent begin;
  begin.op = Op::kTxBegin;
  EXPECT_TRUE(Build(Builder("type: file"), begin).empty());  // transaction_metadata is off
  EXPECT_EQ(Build(Builder("transaction_metadata: true"), begin)[0].topic, "shop.transaction");
}

}  // namespace
}  // namespace cdc
