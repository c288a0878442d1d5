// EnvelopeReader: the formats' output read back -- op, table, commit time,
// key identity and row -- for every envelope.
#include "cdc/format/envelope_reader.h"

#include <gtest/gtest.h>

#include "cdc/error.h"
#include "cdc/record.h"
#include "tests/cdc/format/format_test_support.h"

namespace cdc::testing::fmt {
namespace {

using Envelope = FormatOptions::Envelope;

struct Case {
  const char* name;
  Envelope envelope;
  bool schemas;
};

class EnvelopeReaderTest : public ::testing::TestWithParam<Case> {
 protected:
  // The record the Kafka and file sinks would publish for `ev`.
  Record Render(const ChangeEvent& ev) {
    auto format = MakeFormat(Options(GetParam().envelope, GetParam().schemas));
    return Record{"t", format->key(ev), format->value(ev), {}};
  }
  ChangeView Read(const ChangeEvent& ev) {
    record_ = Render(ev);
    ChangeView v;
    reader_.read(record_, v);
    return v;
  }

  Record record_;
  EnvelopeReader reader_;
};

TEST_P(EnvelopeReaderTest, ReadsEveryDataOp) {
  const TableSchemaPtr t = DocCustomers();
  const TableId id = t->id();
  const Row row = DocCustomerRow();
  for (Op op : {Op::kCreate, Op::kUpdate, Op::kRead, Op::kDelete}) {
    SCOPED_TRACE(OpName(op));
    ChangeEvent ev =
        MakeEvent(op, t, PgSource(id),
                  op == Op::kCreate || op == Op::kRead ? std::nullopt : std::optional(row),
                  op == Op::kDelete ? std::nullopt : std::optional(row));
    ChangeView v = Read(ev);
    ASSERT_EQ(v.kind, ChangeView::Kind::kChange);
    EXPECT_EQ(v.op, OpName(op)[0]);
    EXPECT_EQ(v.table, "postgres.public.customers");
    EXPECT_EQ(v.commit_ts_us,
              GetParam().envelope == Envelope::kFlat ? kCommitUs / 1000 * 1000 : kCommitUs);
    ASSERT_TRUE(v.key);
    EXPECT_EQ(nlohmann::json::parse(*v.key), nlohmann::json({{"id", 1}}));
    if (op == Op::kDelete) {
      EXPECT_TRUE(v.row.empty());
    } else {
      EXPECT_EQ(nlohmann::json::parse(v.row), nlohmann::json({{"id", 1},
                                                              {"first_name", "Anne"},
                                                              {"last_name", "Kretchmar"},
                                                              {"email", "annek@noanswer.org"}}));
    }
  }
}

TEST_P(EnvelopeReaderTest, TruncatesAndMySqlTables) {
  TableSchemaPtr t =
      MakeTable(TableId{"shop", "", "orders"}, {Col("id", ColumnType::kInt64, false)}, {0});
  ChangeEvent trunc = MakeEvent(Op::kTruncate, t, MySqlSource(t->id()), std::nullopt, std::nullopt);
  ChangeView v = Read(trunc);
  ASSERT_EQ(v.kind, ChangeView::Kind::kChange);
  EXPECT_EQ(v.op, 't');
  EXPECT_EQ(v.table, "shop.orders");
  EXPECT_TRUE(TableNameMatches(v.table, "orders"));
  EXPECT_TRUE(TableNameMatches(v.table, "shop.orders"));
  EXPECT_FALSE(TableNameMatches(v.table, "hop.orders"));
  EXPECT_FALSE(TableNameMatches(v.table, "rders"));
}

TEST_P(EnvelopeReaderTest, ControlEventsAreOther) {
  ChangeEvent hb;
  hb.op = Op::kHeartbeat;
  hb.id = "hb";
  hb.source = PgSource(TableId{});
  hb.source.table = TableId{};
  ChangeView v = Read(hb);
  EXPECT_EQ(v.kind, ChangeView::Kind::kOther);
}

TEST_P(EnvelopeReaderTest, UnchangedToastColumnsAreNamed) {
  const TableSchemaPtr t = DocCustomers();
  SourceInfo src = PgSource(t->id());
  src.fields.push_back({"unchanged_toast", ColumnType::kString, Value("last_name,email")});
  Row after = RowOf({Value(int64_t{1}), Value("Annie"), Value(), Value()}, {2, 3});
  ChangeView v = Read(MakeEvent(Op::kUpdate, t, src, std::nullopt, after));
  ASSERT_EQ(v.kind, ChangeView::Kind::kChange);
  EXPECT_EQ(nlohmann::json::parse(v.row), nlohmann::json({{"id", 1}, {"first_name", "Annie"}}));
  if (GetParam().envelope == Envelope::kFlat) {
    EXPECT_TRUE(v.lacks_unchanged);
  } else {
    EXPECT_EQ(v.unchanged, (std::vector<std::string>{"last_name", "email"}));
  }
}

TEST_P(EnvelopeReaderTest, AKeyChangingUpdateNamesTheOldKey) {
  const TableSchemaPtr t = DocCustomers();
  Row before = DocCustomerRow();
  Row after = DocCustomerRow();
  after.values[0] = Value(int64_t{7});
  ChangeView v = Read(MakeEvent(Op::kUpdate, t, PgSource(t->id()), before, after));
  ASSERT_EQ(v.kind, ChangeView::Kind::kChange);
  EXPECT_EQ(nlohmann::json::parse(*v.key), nlohmann::json({{"id", 7}}));
  if (GetParam().envelope == Envelope::kFlat) {
    EXPECT_FALSE(v.old_key);  // a flat value has no before image
  } else {
    ASSERT_TRUE(v.old_key);
    EXPECT_EQ(*v.old_key, "{\"id\":1}");
  }
  ChangeView same = Read(MakeEvent(Op::kUpdate, t, PgSource(t->id()), before, before));
  EXPECT_FALSE(same.old_key);
}

INSTANTIATE_TEST_SUITE_P(Envelopes, EnvelopeReaderTest,
                         ::testing::Values(Case{"debezium_schemas", Envelope::kDebezium, true},
                                           Case{"debezium", Envelope::kDebezium, false},
                                           Case{"flat", Envelope::kFlat, false}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(EnvelopeReaderPlainTest, TombstonesForeignValuesAndBrokenEnvelopes) {
  EnvelopeReader reader;
  ChangeView v;
  Record tomb{"t", "{\"id\":1}", std::nullopt, {}};
  reader.read(tomb, v);
  EXPECT_EQ(v.kind, ChangeView::Kind::kTombstone);
  EXPECT_EQ(v.key, std::optional<std::string_view>("{\"id\":1}"));
  for (const char* foreign : {"plain text", "[1,2]", "{\"ts_ms\":1}", "{\"before\":null}",
                              "{\"a\":1,\"__op\":\"heartbeat\"}"}) {
    Record r{"t", std::nullopt, foreign, {}};
    reader.read(r, v);
    EXPECT_EQ(v.kind, ChangeView::Kind::kOther) << foreign;
  }
  Record broken{
      "orders", "{\"id\":1}", "{\"before\":null,\"after\":null,\"source\":7,\"op\":\"c\"}", {}};
  EXPECT_THROW(reader.read(broken, v), Error);
}

}  // namespace
}  // namespace cdc::testing::fmt
