// OutBuffer: appends keep every byte across growth and moves.
#include "cdc/out_buffer.h"

#include <gtest/gtest.h>

namespace cdc {
namespace {

TEST(OutBufferTest, KeepsWhatWasWrittenAcrossGrowthAndMoves) {
  OutBuffer b;
  EXPECT_TRUE(b.empty());
  std::string expected;
  for (int i = 0; i < 5000; ++i) {
    const std::string piece = std::to_string(i) + ",";
    b += piece;
    expected += piece;
    if (i % 7 == 0) {
      b += '|';
      expected += '|';
    }
  }
  EXPECT_EQ(b.str(), expected);
  OutBuffer moved = std::move(b);
  EXPECT_EQ(moved.view(), expected);
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty
  moved.truncate(3);
  EXPECT_EQ(moved.view(), expected.substr(0, 3));
  moved.truncate(10);  // never longer than what is held
  EXPECT_EQ(moved.size(), 3u);
  moved.clear();
  EXPECT_EQ(moved.view(), "");
}

TEST(OutBufferTest, RoomIsWrittenThenCommitted) {
  OutBuffer b(4);
  b += "ab";
  char* p = b.room(1000);
  std::memset(p, 'x', 1000);
  EXPECT_EQ(b.size(), 2u);  // nothing shows before commit
  b.commit(p + 1000);
  EXPECT_EQ(b.size(), 1002u);
  EXPECT_EQ(b.view().substr(0, 3), "abx");
  EXPECT_EQ(b.view().back(), 'x');
}

}  // namespace
}  // namespace cdc
