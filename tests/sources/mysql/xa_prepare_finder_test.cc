// XaPrepareScan: where the prepared part of an XID starts in one binlog
// file's events (the live search across files is in mysql_source_test).
#include "sources/mysql/xa_prepare_finder.h"

#include <gtest/gtest.h>

namespace cdc::mysql {
namespace {

DecodedEvent At(uint64_t position, DecodedEventBody body) {
  DecodedEvent ev;
  ev.file = "bin.000002";
  ev.position = position;
  ev.body = std::move(body);
  return ev;
}

DecodedEvent Query(uint64_t position, std::string sql) {
  QueryEvent q;
  q.query = std::move(sql);
  return At(position, q);
}

DecodedEvent Prepare(uint64_t position, const std::string& gtrid, bool one_phase = false) {
  return At(position, XaPrepareEvent{one_phase, CanonicalXid(1, gtrid, "")});
}

const std::string kXid = CanonicalXid(1, "a", "");

TEST(XaPrepareScanTest, FindsTheGtidEventOfTheLastPreparedPart) {
  XaPrepareScan scan(kXid);
  for (const DecodedEvent& ev :
       {At(100, MariaGtidEvent{}), Query(150, "XA START 'a'"), Query(300, "XA END 'a'"),
        Prepare(350, "a"), At(400, MariaGtidEvent{}), Query(450, "XA START 'b'"),
        Prepare(500, "b")}) {
    scan.feed(ev);
  }
  ASSERT_TRUE(scan.found());
  EXPECT_EQ(scan.found()->to_string(), "bin.000002:100");
  EXPECT_FALSE(scan.ended());
}

TEST(XaPrepareScanTest, AnEndedPartIsNotTheOneToRead) {
  // 'a' prepared, committed, then its XID reused and prepared again.
  XaPrepareScan scan(kXid);
  scan.feed(At(100, GtidEvent{}));
  scan.feed(Prepare(200, "a"));
  scan.feed(At(300, GtidEvent{}));
  scan.feed(Query(320, "XA COMMIT 'a'"));
  EXPECT_FALSE(scan.found());
  EXPECT_TRUE(scan.ended());
  scan.feed(At(400, GtidEvent{}));
  scan.feed(Prepare(500, "a"));
  ASSERT_TRUE(scan.found());
  EXPECT_EQ(scan.found()->pos, 400u);
  EXPECT_FALSE(scan.ended());
  // A rollback ends it too; a one-phase commit is no pending part.
  scan.feed(Query(600, "XA ROLLBACK 'a'"));
  scan.feed(At(700, GtidEvent{}));
  scan.feed(Prepare(800, "a", /*one_phase=*/true));
  EXPECT_FALSE(scan.found());
  EXPECT_TRUE(scan.ended());
}

TEST(XaPrepareScanTest, OtherXidsAndAPrepareWithoutGtidAreNotFound) {
  XaPrepareScan scan(kXid);
  scan.feed(Prepare(200, "a"));  // no GTID event seen in this file before it
  scan.feed(At(300, MariaGtidEvent{}));
  scan.feed(Prepare(400, "b"));
  scan.feed(Query(500, "XA COMMIT 'b'"));
  EXPECT_FALSE(scan.found());
  EXPECT_FALSE(scan.ended());
}

}  // namespace
}  // namespace cdc::mysql
