#include "cdc/snapshot_progress.h"

#include <gtest/gtest.h>

#include "cdc/error.h"

namespace cdc {
namespace {

using Table = SnapshotProgress::Table;

TEST(SnapshotProgressTest, JsonRoundTripAndErrors) {
  SnapshotProgress p;
  p.point = {{"file", "bin.000002"}, {"pos", 4}};
  p.tables["d.t"] = {std::vector<std::string>{"1", "x"}, 3, false};
  nlohmann::json j = p.to_json();
  EXPECT_EQ(j, nlohmann::json::parse(R"({"phase":"snapshot","point":{"file":"bin.000002","pos":4},
    "tables":{"d.t":{"last_key":["1","x"],"rows":3,"done":false}}})"));
  EXPECT_EQ(SnapshotProgress::FromJson(j).to_json(), j);
  p.through = SnapshotProgress::Through{"d.t", 7, 0x0123456789abcdefull};
  j = p.to_json();
  EXPECT_EQ(j["through"],
            nlohmann::json::parse(R"({"table":"d.t","count":7,"hash":"0123456789abcdef"})"));
  EXPECT_EQ(SnapshotProgress::FromJson(j).to_json(), j);
  j["through"]["hash"] = "12";
  EXPECT_THROW(SnapshotProgress::FromJson(j), Error);
  EXPECT_THROW(SnapshotProgress::FromJson(nlohmann::json::object()), Error);
  j = p.to_json();
  j["phase"] = "nope";
  EXPECT_THROW(SnapshotProgress::FromJson(j), Error);
}

TEST(SnapshotProgressTest, UnlistedTablesAtMostTheFrontierAreDone) {
  SnapshotProgress p;
  p.point = "P";
  p.through = SnapshotProgress::Through{"d.m", 0, 0};
  p.tables["d.c"] = {std::vector<std::string>{"9"}, 9, false};
  EXPECT_TRUE(p.table("d.a").done);
  EXPECT_TRUE(p.table("d.m").done);
  EXPECT_FALSE(p.table("d.n").done);
  EXPECT_EQ(p.table("d.n").rows, 0u);
  EXPECT_FALSE(p.table("d.c").done);
  EXPECT_EQ(p.table("d.c").last_key, std::vector<std::string>{"9"});
  // Without a frontier (states written before it existed) only the listed
  // tables were read.
  p.through.reset();
  EXPECT_FALSE(p.table("d.a").done);
}

TEST(SnapshotLedgerTest, ListsOnlyTheTablesBelowTheFrontierNotDone) {
  SnapshotProgress fresh;
  fresh.point = "P";
  SnapshotLedger l({"d.c", "d.a", "d.d", "d.b"}, fresh);
  EXPECT_EQ(l.name(0), "d.a");
  EXPECT_EQ(l.position("d.c"), 2u);
  EXPECT_THROW(l.position("d.x"), Error);
  EXPECT_FALSE(l.progress().through);
  EXPECT_TRUE(l.progress().tables.empty());
  // Two workers: d.a and d.b taken; d.b emits first.
  l.touch(1);
  l.set(1, {std::vector<std::string>{"1"}, 1, false});
  SnapshotProgress p = l.progress();
  ASSERT_TRUE(p.through);
  EXPECT_EQ(p.through->table, "d.b");
  EXPECT_EQ(p.through->count, 2u);
  ASSERT_EQ(p.tables.size(), 2u);  // d.a (taken, nothing emitted) and d.b
  EXPECT_FALSE(p.table("d.a").done);
  EXPECT_EQ(p.table("d.b").rows, 1u);
  EXPECT_FALSE(p.table("d.c").done);
  l.touch(0);  // below the frontier: it stays
  l.set(0, {std::vector<std::string>{"5"}, 5, true});
  l.set(1, {std::vector<std::string>{"2"}, 2, true});
  p = l.progress();
  EXPECT_TRUE(p.tables.empty());
  EXPECT_TRUE(p.table("d.a").done && p.table("d.b").done);
  EXPECT_FALSE(p.table("d.c").done);
  EXPECT_EQ(p.point, "P");
}

// A progress resumed reads as it was written, and the ledger says when the
// captured tables at most its frontier changed since.
TEST(SnapshotLedgerTest, ResumesAndNoticesAChangedTableSet) {
  SnapshotProgress fresh;
  fresh.point = "P";
  SnapshotLedger first({"d.a", "d.b", "d.c", "d.d"}, fresh);
  first.touch(2);
  first.set(0, {std::nullopt, 3, true});
  first.set(2, {std::vector<std::string>{"7"}, 7, false});
  const SnapshotProgress written = SnapshotProgress::FromJson(first.progress().to_json());

  SnapshotLedger same({"d.d", "d.c", "d.b", "d.a"}, written);
  EXPECT_FALSE(same.resumed_set_changed());
  EXPECT_TRUE(same.state(0).done);
  EXPECT_FALSE(same.state(1).done);  // taken, nothing emitted
  EXPECT_EQ(same.state(2).last_key, std::vector<std::string>{"7"});
  EXPECT_FALSE(same.state(3).done);
  EXPECT_EQ(same.progress().to_json(), written.to_json());

  SnapshotLedger added({"d.a", "d.aa", "d.b", "d.c", "d.d"}, written);
  ASSERT_TRUE(added.resumed_set_changed());
  EXPECT_EQ(*added.resumed_set_changed(), "3 then, 4 now");
  EXPECT_TRUE(added.state(1).done);  // taken as read (see the header)

  SnapshotLedger dropped({"d.b", "d.c", "d.d"}, written);
  EXPECT_TRUE(dropped.resumed_set_changed());
  SnapshotLedger renamed({"d.a", "d.bb", "d.c", "d.d"}, written);
  EXPECT_TRUE(renamed.resumed_set_changed());
  // Above the frontier nothing is compared.
  SnapshotLedger later({"d.a", "d.b", "d.c", "d.e"}, written);
  EXPECT_FALSE(later.resumed_set_changed());
}

// A state written before the frontier existed lists every table read; the
// tables above the new frontier stay listed until the frontier passes them.
TEST(SnapshotLedgerTest, ResumesAStateWithoutAFrontier) {
  SnapshotProgress old;
  old.point = "P";
  old.tables["d.a"] = {std::nullopt, 0, false};
  old.tables["d.b"] = {std::vector<std::string>{"4"}, 4, false};
  old.tables["d.d"] = {std::vector<std::string>{"9"}, 9, true};
  SnapshotLedger l({"d.a", "d.b", "d.c", "d.d", "d.e"}, old);
  EXPECT_FALSE(l.resumed_set_changed());
  EXPECT_TRUE(l.state(3).done);
  EXPECT_EQ(l.state(1).rows, 4u);
  SnapshotProgress p = l.progress();
  EXPECT_FALSE(p.through);
  EXPECT_EQ(p.tables.size(), 2u);  // d.b (read in part) and d.d (done)
  l.touch(1);
  p = l.progress();
  EXPECT_TRUE(p.table("d.d").done);
  EXPECT_FALSE(p.table("d.a").done);
  EXPECT_FALSE(p.table("d.c").done);
  l.set(0, {std::nullopt, 1, true});
  l.set(1, {std::vector<std::string>{"6"}, 6, true});
  l.touch(2);
  l.set(2, {std::nullopt, 0, true});
  p = l.progress();
  ASSERT_EQ(p.tables.size(), 1u);  // d.d: above the frontier, done
  EXPECT_TRUE(p.table("d.d").done);
  l.touch(4);
  p = l.progress();
  ASSERT_EQ(p.tables.size(), 1u);  // d.d passed; d.e taken
  EXPECT_TRUE(p.table("d.d").done);
  EXPECT_FALSE(p.table("d.e").done);
}

}  // namespace
}  // namespace cdc
