#include "daemon/snapshot_bar.h"

#include <gtest/gtest.h>

#include "daemon/progress_line.h"

namespace cdc {
namespace {

SnapshotStatus Initial() {
  SnapshotStatus s;
  s.kind = "initial";
  s.table = "public.orders";
  s.rows = 250000;
  s.rows_estimated = 1000000;
  s.tables_done = 0;
  s.tables_total = 3;
  s.rows_per_second = 48210.7;
  s.eta_seconds = 15.4;
  return s;
}

TEST(SnapshotBarTest, ShowsTableBarCountsRateAndEta) {
  EXPECT_EQ(SnapshotBar::RenderOne("orders", Initial()),
            "orders: snapshot public.orders 25% [######..................] 250,000 of "
            "~1,000,000 rows, 48,210 rows/s, ETA 0:15, table 1 of 3");
}

TEST(SnapshotBarTest, WithoutAnEstimateShowsNoBarNorEta) {
  SnapshotStatus s = Initial();
  s.kind = "incremental";
  s.id = "ad-hoc-1";
  s.rows_estimated = 0;
  s.eta_seconds = -1;
  s.tables_done = 3;  // the last table done, the snapshot not yet ended
  EXPECT_EQ(SnapshotBar::RenderOne("orders", s),
            "orders: incremental snapshot public.orders 250,000 rows, 48,210 rows/s, table 3 of 3");
}

TEST(SnapshotBarTest, JoinsRunningSnapshotsLeavesOthersOutAndFitsTheWidth) {
  SnapshotStatus idle;  // no snapshot running
  SnapshotStatus other = Initial();
  other.table = "shop.items";
  const std::vector<std::pair<std::string, SnapshotStatus>> all = {
      {"orders", Initial()}, {"idle", idle}, {"items", other}};
  const std::string full = SnapshotBar::Render(all, 1000);
  EXPECT_EQ(full, SnapshotBar::RenderOne("orders", Initial()) + " | " +
                      SnapshotBar::RenderOne("items", other));
  EXPECT_EQ(SnapshotBar::Render(all, 80), full.substr(0, 79));
  EXPECT_EQ(SnapshotBar::Render({{"idle", idle}}, 80), "");
}

TEST(ProgressLineTest, FormatsCountsDurationsAndBars) {
  EXPECT_EQ(ProgressLine::Count(0), "0");
  EXPECT_EQ(ProgressLine::Count(999), "999");
  EXPECT_EQ(ProgressLine::Count(1234567), "1,234,567");
  EXPECT_EQ(ProgressLine::Duration(75.4), "1:15");
  EXPECT_EQ(ProgressLine::Duration(3725), "1:02:05");
  EXPECT_EQ(ProgressLine::Bar(0), "[........................]");
  EXPECT_EQ(ProgressLine::Bar(1.5), "[########################]");
}

}  // namespace
}  // namespace cdc
