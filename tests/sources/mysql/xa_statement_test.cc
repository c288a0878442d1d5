// XA statements and XA_PREPARE events read into one canonical XID, and the
// assembler on MySQL-shaped XA transactions (XA START queries, a one-phase
// commit's XA_PREPARE), which the live MariaDB test cannot produce.
#include "sources/mysql/xa_statement.h"

#include <gtest/gtest.h>

#include "sources/mysql/binlog_event.h"
#include "sources/mysql/event_assembler.h"

namespace cdc::mysql {
namespace {

TEST(XaStatementTest, EveryXidFormReadsTheSame) {
  const std::string canonical = "X'6131',X'',1";
  EXPECT_EQ(CanonicalXid(1, "a1", ""), canonical);
  for (const char* q : {"XA COMMIT 'a1'", "xa commit X'6131',X'',1", "XA COMMIT 0x6131",
                        "XA COMMIT 'a1', ''", "  XA  COMMIT  'a1' , '' , 1  "}) {
    const XaStatement s = ParseXaStatement(q);
    EXPECT_EQ(s.kind, XaStatement::Kind::kCommit) << q;
    EXPECT_EQ(s.xid, canonical) << q;
    EXPECT_FALSE(s.one_phase) << q;
  }
  EXPECT_TRUE(ParseXaStatement("XA COMMIT 'a1' ONE PHASE").one_phase);
  EXPECT_EQ(ParseXaStatement("XA ROLLBACK X'6131',X'62',7").xid, "X'6131',X'62',7");
  EXPECT_EQ(ParseXaStatement("XA START 'it''s'").xid, CanonicalXid(1, "it's", ""));
  EXPECT_EQ(ParseXaStatement("XA END X'6131',X'',1").kind, XaStatement::Kind::kEnd);
  EXPECT_EQ(ParseXaStatement("XA RECOVER").kind, XaStatement::Kind::kRecover);
  EXPECT_EQ(ParseXaStatement("XA COMMIT 'unterminated").kind, XaStatement::Kind::kOther);
  EXPECT_EQ(ParseXaStatement("COMMIT").kind, XaStatement::Kind::kOther);
}

std::string U32(uint32_t v) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>(v >> (8 * i));
  return out;
}

TEST(XaStatementTest, XaPrepareEventCarriesTheXidAndOnePhase) {
  const XaPrepareEvent p = ParseXaPrepare(std::string(1, '\1') + U32(1) + U32(2) + U32(1) + "a1b");
  EXPECT_TRUE(p.one_phase);
  EXPECT_EQ(p.xid, "X'6131',X'62',1");
  EXPECT_THROW(ParseXaPrepare(std::string(1, '\0') + U32(1) + U32(200) + U32(0)), Error);
}

// MySQL-shaped events at increasing positions in binlog.000001.
class MySqlXaTest : public ::testing::Test {
 protected:
  MySqlXaTest() : assembler_(Options()) {
    StreamStart start;
    start.position = BinlogPosition{"binlog.000001", 4};
    assembler_.reset(start, /*mariadb=*/false);
    table_ = std::make_shared<TableMapEvent>();
    table_->table_id = 7;
    table_->database = "shop";
    table_->table = "t";
    TableMapColumn id;
    id.type = id.real_type = 3;  // LONG
    id.nullable = false;
    id.name = "id";
    table_->columns = {id};
    table_->primary_key = {0};
    table_->has_optional_metadata = true;
  }
  static EventAssembler::Options Options() {
    EventAssembler::Options o;
    o.server_name = "xa";
    o.captured = [](const std::string&, const std::string&) { return true; };
    return o;
  }
  DecodedEvent Next(DecodedEventBody body) {
    DecodedEvent d;
    d.file = "binlog.000001";
    d.position = pos_;
    d.header.timestamp = 1700000000;
    d.body = std::move(body);
    pos_ += 100;
    return d;
  }
  DecodedEvent Query(const std::string& q) {
    QueryEvent e;
    e.query = q;
    return Next(e);
  }
  DecodedEvent Gtid(int64_t gno) {
    GtidEvent g;
    g.uuid = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
    g.gno = gno;
    return Next(g);
  }
  DecodedEvent Insert(int64_t id) {
    RowsEvent r;
    r.kind = RowsEvent::Kind::kInsert;
    r.table = table_;
    r.flags = 1;
    RowImage after;
    after.present = {true};
    after.values = {Value(id)};
    r.rows.push_back({std::nullopt, after});
    return Next(r);
  }
  DecodedEvent Prepare(bool one_phase) { return Next(XaPrepareEvent{one_phase, "X'61',X'',1"}); }
  // Feeds `ev`; returns the data events emitted.
  std::vector<int64_t> Feed(DecodedEvent ev) {
    std::vector<ChangeEvent> out;
    assembler_.feed(ev, ev.position + 100, out);
    return Ids(out);
  }
  static std::vector<int64_t> Ids(const std::vector<ChangeEvent>& events) {
    std::vector<int64_t> ids;
    for (const ChangeEvent& e : events) {
      if (e.after) ids.push_back(e.after->values[0].as<int64_t>());
    }
    return ids;
  }
  std::vector<int64_t> Replay(const std::vector<DecodedEvent>& part) {
    std::vector<ChangeEvent> out;
    for (DecodedEvent e : part) {  // a copy: feeding takes the row values
      if (assembler_.feed_replayed(e, out)) break;
    }
    assembler_.end_replay(out);
    return Ids(out);
  }

  EventAssembler assembler_;
  std::shared_ptr<TableMapEvent> table_;
  uint64_t pos_ = 4;
};

TEST_F(MySqlXaTest, TwoPhaseCommitEmitsThePreparedRowsAtTheCommit) {
  std::vector<DecodedEvent> part = {Gtid(1),   Query("XA START X'61',X'',1"), Insert(1),
                                    Insert(2), Query("XA END X'61',X'',1"),   Prepare(false)};
  for (const DecodedEvent& e : part) EXPECT_EQ(Feed(e), std::vector<int64_t>{});
  EXPECT_FALSE(assembler_.in_transaction());
  EXPECT_EQ(assembler_.replay_from(), std::nullopt);
  EXPECT_EQ(Feed(Gtid(2)), std::vector<int64_t>{});
  EXPECT_EQ(Feed(Query("XA COMMIT X'61',X'',1")), std::vector<int64_t>{});
  ASSERT_EQ(assembler_.replay_from(), (BinlogPosition{"binlog.000001", 4}));
  EXPECT_EQ(Replay(part), (std::vector<int64_t>{1, 2}));
  EXPECT_FALSE(assembler_.in_transaction());
  EXPECT_EQ(assembler_.replay_from(), std::nullopt);
}

TEST_F(MySqlXaTest, OnePhaseCommitIsEmittedAtItsXaPrepare) {
  std::vector<DecodedEvent> part = {Gtid(1), Query("XA START X'61',X'',1"), Insert(5),
                                    Query("XA END X'61',X'',1"), Prepare(true)};
  for (const DecodedEvent& e : part) EXPECT_EQ(Feed(e), std::vector<int64_t>{});
  ASSERT_EQ(assembler_.replay_from(), (BinlogPosition{"binlog.000001", 4}));
  EXPECT_EQ(Replay(part), (std::vector<int64_t>{5}));
}

TEST_F(MySqlXaTest, RollbackEmitsNothingAndForgetsTheXid) {
  for (const DecodedEvent& e :
       {Gtid(1), Query("XA START X'61',X'',1"), Insert(1), Query("XA END X'61',X'',1"),
        Prepare(false), Gtid(2), Query("XA ROLLBACK X'61',X'',1")}) {
    EXPECT_EQ(Feed(e), std::vector<int64_t>{});
  }
  EXPECT_EQ(assembler_.replay_from(), std::nullopt);
  std::optional<ChangeEvent> hb = assembler_.heartbeat();
  ASSERT_TRUE(hb);
  EXPECT_FALSE(hb->next.state.contains("xa")) << hb->next.state.dump();
}

}  // namespace
}  // namespace cdc::mysql
