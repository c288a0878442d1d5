// pgoutput decoding from hand-built byte buffers: every message type of
// protocol 1, the CopyData envelope, and malformed input.
#include "sources/postgres/pgoutput_decoder.h"

#include <gtest/gtest.h>

#include "cdc/error.h"

namespace cdc::pg {
namespace {

// Builds big-endian protocol bytes.
struct Bytes {
  std::string b;
  Bytes& c(char v) {
    b.push_back(v);
    return *this;
  }
  Bytes& u16(uint16_t v) { return n(v, 2); }
  Bytes& u32(uint32_t v) { return n(v, 4); }
  Bytes& u64(uint64_t v) { return n(v, 8); }
  Bytes& s(const std::string& v) {
    b += v;
    b.push_back('\0');
    return *this;
  }
  Bytes& raw(const std::string& v) {
    b += v;
    return *this;
  }
  Bytes& text(const std::string& v) { return c('t').u32(static_cast<uint32_t>(v.size())).raw(v); }
  Bytes& n(uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) b.push_back(static_cast<char>(v >> (8 * i)));
    return *this;
  }
};

constexpr int64_t kPgTime = 700000000000000;  // µs since 2000-01-01

// Found by tests/fuzz/pgoutput_fuzz: a Truncate announcing 1 billion
// relations reserved 4 GiB before reading them.
TEST(PgOutputDecoderTest, TruncateCountBeyondTheMessageIsAnError) {
  const std::string msg = {'T', 0x04, 0x00, 0x00, 0x40, 0x01};
  try {
    DecodePgOutput(msg);
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("67108928 relations announced, room for 0"),
              std::string::npos)
        << e.what();
  }
}

// Found by tests/fuzz/pgoutput_fuzz: a time near INT64_MAX overflowed when
// moved to the Unix epoch (undefined behaviour).
TEST(PgOutputDecoderTest, ATimestampBeyondRangeIsAnError) {
  const uint64_t huge = 0x7FFF00000000FFFFull;
  for (const std::string& msg :
       {Bytes().c('B').u64(1).u64(huge).u32(7).b, Bytes().c('C').c(0).u64(1).u64(2).u64(huge).b}) {
    try {
      DecodePgOutput(msg);
      FAIL() << "accepted";
    } catch (const Error& e) {
      EXPECT_NE(
          std::string(e.what()).find("timestamp " + std::to_string(huge) + " is out of range"),
          std::string::npos)
          << e.what();
    }
  }
  EXPECT_THROW(ParseCopyData(Bytes().c('k').u64(1).u64(huge).c(0).b), Error);
  EXPECT_THROW(ParseCopyData(Bytes().c('w').u64(1).u64(2).u64(huge).b), Error);
}

TEST(PgOutputDecoderTest, Begin) {
  auto m =
      std::get<BeginMsg>(DecodePgOutput(Bytes().c('B').u64(0x16B374D848).u64(kPgTime).u32(777).b));
  EXPECT_EQ(m.final_lsn, 0x16B374D848u);
  EXPECT_EQ(m.commit_time_us, kPgTime + kPgEpochUnixMicros);
  EXPECT_EQ(m.xid, 777u);
  EXPECT_EQ(FormatLsn(m.final_lsn), "16/B374D848");
}

TEST(PgOutputDecoderTest, Commit) {
  auto m =
      std::get<CommitMsg>(DecodePgOutput(Bytes().c('C').c(0).u64(100).u64(180).u64(kPgTime).b));
  EXPECT_EQ(m.commit_lsn, 100u);
  EXPECT_EQ(m.end_lsn, 180u);
  EXPECT_EQ(m.commit_time_us, kPgTime + kPgEpochUnixMicros);
}

TEST(PgOutputDecoderTest, OriginAndType) {
  auto o = std::get<OriginMsg>(DecodePgOutput(Bytes().c('O').u64(5).s("node_a").b));
  EXPECT_EQ(o.commit_lsn, 5u);
  EXPECT_EQ(o.name, "node_a");
  auto t = std::get<TypeMsg>(DecodePgOutput(Bytes().c('Y').u32(16400).s("public").s("mood").b));
  EXPECT_EQ(t.oid, 16400u);
  EXPECT_EQ(t.nspname, "public");
  EXPECT_EQ(t.name, "mood");
}

TEST(PgOutputDecoderTest, RelationWithEmptyNamespaceIsPgCatalog) {
  std::string b = Bytes()
                      .c('R')
                      .u32(16385)
                      .s("")
                      .s("t")
                      .c('f')
                      .u16(2)
                      .c(1)
                      .s("id")
                      .u32(23)
                      .u32(0xffffffff)
                      .c(0)
                      .s("price")
                      .u32(1700)
                      .u32((10 << 16 | 2) + 4)
                      .b;
  auto r = std::get<RelationMsg>(DecodePgOutput(b));
  EXPECT_EQ(r.oid, 16385u);
  EXPECT_EQ(r.nspname, "pg_catalog");
  EXPECT_EQ(r.relname, "t");
  EXPECT_EQ(r.replica_identity, 'f');
  ASSERT_EQ(r.columns.size(), 2u);
  EXPECT_TRUE(r.columns[0].key);
  EXPECT_EQ(r.columns[0].name, "id");
  EXPECT_EQ(r.columns[0].type_oid, 23u);
  EXPECT_EQ(r.columns[0].type_modifier, -1);
  EXPECT_FALSE(r.columns[1].key);
  EXPECT_EQ(r.columns[1].type_modifier, (10 << 16 | 2) + 4);
}

TEST(PgOutputDecoderTest, InsertWithNullUnchangedAndText) {
  std::string b = Bytes().c('I').u32(7).c('N').u16(3).text("42").c('n').c('u').b;
  auto m = std::get<InsertMsg>(DecodePgOutput(b));
  EXPECT_EQ(m.relid, 7u);
  ASSERT_EQ(m.new_tuple.size(), 3u);
  EXPECT_EQ(m.new_tuple[0].kind, TupleValue::Kind::kText);
  EXPECT_EQ(m.new_tuple[0].data, "42");
  EXPECT_EQ(m.new_tuple[1].kind, TupleValue::Kind::kNull);
  EXPECT_EQ(m.new_tuple[2].kind, TupleValue::Kind::kUnchangedToast);
}

TEST(PgOutputDecoderTest, UpdateWithoutWithKeyAndWithOldTuple) {
  auto plain = std::get<UpdateMsg>(DecodePgOutput(Bytes().c('U').u32(7).c('N').u16(1).text("a").b));
  EXPECT_EQ(plain.old_kind, 0);
  EXPECT_EQ(plain.new_tuple[0].data, "a");
  for (char kind : {'K', 'O'}) {
    auto m = std::get<UpdateMsg>(DecodePgOutput(
        Bytes().c('U').u32(7).c(kind).u16(1).text("old").c('N').u16(1).text("new").b));
    EXPECT_EQ(m.old_kind, kind);
    EXPECT_EQ(m.old_tuple[0].data, "old");
    EXPECT_EQ(m.new_tuple[0].data, "new");
  }
}

TEST(PgOutputDecoderTest, DeleteAndTruncate) {
  auto d = std::get<DeleteMsg>(DecodePgOutput(Bytes().c('D').u32(9).c('K').u16(1).text("1").b));
  EXPECT_EQ(d.relid, 9u);
  EXPECT_EQ(d.old_kind, 'K');
  auto t = std::get<TruncateMsg>(DecodePgOutput(Bytes().c('T').u32(2).c(3).u32(9).u32(10).b));
  EXPECT_TRUE(t.cascade);
  EXPECT_TRUE(t.restart_identity);
  EXPECT_EQ(t.relids, (std::vector<uint32_t>{9, 10}));
}

TEST(PgOutputDecoderTest, LogicalMessageWithBinaryContent) {
  std::string content("a\0b", 3);
  auto m = std::get<LogicalMsg>(
      DecodePgOutput(Bytes().c('M').c(0).u64(0x2A).s("cdcd_heartbeat").u32(3).raw(content).b));
  EXPECT_FALSE(m.transactional);
  EXPECT_EQ(m.lsn, 0x2Au);
  EXPECT_EQ(m.prefix, "cdcd_heartbeat");
  EXPECT_EQ(m.content, content);
}

TEST(PgOutputDecoderTest, CopyDataEnvelopes) {
  std::string w = Bytes().c('w').u64(10).u64(20).u64(kPgTime).raw("Bxyz").b;
  auto x = std::get<XLogData>(ParseCopyData(w));
  EXPECT_EQ(x.wal_start, 10u);
  EXPECT_EQ(x.wal_end, 20u);
  EXPECT_EQ(x.payload, "Bxyz");
  auto k = std::get<Keepalive>(ParseCopyData(Bytes().c('k').u64(99).u64(kPgTime).c(1).b));
  EXPECT_EQ(k.wal_end, 99u);
  EXPECT_TRUE(k.reply_requested);
}

TEST(PgOutputDecoderTest, StandbyStatusUpdateLayout) {
  std::string s = StandbyStatusUpdate(1, 2, 3, kPgEpochUnixMicros + 5, true);
  EXPECT_EQ(s, Bytes().c('r').u64(1).u64(2).u64(3).u64(5).c(1).b);
}

TEST(PgOutputDecoderTest, MalformedInputNamesMessageAndOffset) {
  try {
    DecodePgOutput(Bytes().c('I').u32(7).c('N').u16(2).text("1").b);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Insert message at byte"), std::string::npos) << e.what();
  }
  EXPECT_THROW(DecodePgOutput(Bytes().c('B').u64(1).b), Error);
  EXPECT_THROW(DecodePgOutput(Bytes().c('S').u32(1).c(1).b), Error);  // streaming: never requested
  EXPECT_THROW(DecodePgOutput(Bytes().c('C').c(0).u64(1).u64(2).u64(3).c('x').b), Error);
  EXPECT_THROW(ParseCopyData("z"), Error);
}

TEST(LsnTest, FormatAndParse) {
  EXPECT_EQ(FormatLsn(0), "0/0");
  EXPECT_EQ(FormatLsn(0x16B374D848u), "16/B374D848");  // upper case, as PostgreSQL prints it
  EXPECT_EQ(FormatLsn(0xFFFFFFFFFFFFFFFFull), "FFFFFFFF/FFFFFFFF");
  EXPECT_EQ(FormatLsn(0xA00000000ull), "A/0");
  EXPECT_EQ(ParseLsn("16/b374d848"), 0x16B374D848u);
  EXPECT_EQ(ParseLsn(FormatLsn(0xFFFFFFFFFFFFFFFFull)), 0xFFFFFFFFFFFFFFFFull);
  EXPECT_FALSE(ParseLsn("16"));
  EXPECT_FALSE(ParseLsn("/1"));
  EXPECT_FALSE(ParseLsn("1/xyz"));
  EXPECT_FALSE(ParseLsn("123456789/0"));
}

}  // namespace
}  // namespace cdc::pg
