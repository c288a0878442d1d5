#include "sources/mysql/binlog_position.h"

#include <gtest/gtest.h>

#include "cdc/error.h"

namespace cdc::mysql {
namespace {

TEST(BinlogPositionTest, OrdersByFileNumberThenPosition) {
  EXPECT_TRUE(Before({"binlog.000009", 900}, {"binlog.000010", 4}));
  EXPECT_TRUE(Before({"binlog.999999", 4}, {"binlog.1000000", 4}));
  EXPECT_TRUE(Before({"binlog.000010", 4}, {"binlog.000010", 5}));
  EXPECT_FALSE(Before({"binlog.000010", 5}, {"binlog.000010", 5}));
}

TEST(BinlogPositionTest, OffsetsRoundTrip) {
  Offset o = StreamOffset({"mysql-bin.000042", 1234}, 7, "0-1-99");
  EXPECT_EQ(o.tx, "mysql-bin.000042:1234");
  StreamStart s = ParseStreamOffset(o);
  EXPECT_EQ(s.position, (BinlogPosition{"mysql-bin.000042", 1234}));
  EXPECT_EQ(s.skip, 7u);
  EXPECT_EQ(s.gtid, "0-1-99");
  EXPECT_TRUE(StreamOffset({"b.1", 4}, 0, "").state.is_null());
}

TEST(BinlogPositionTest, RejectsOffsetsOfOtherSources) {
  Offset pg;
  pg.tx = "16/B374D848";
  try {
    ParseStreamOffset(pg);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not made by a mysql source"), std::string::npos);
  }
}

}  // namespace
}  // namespace cdc::mysql
