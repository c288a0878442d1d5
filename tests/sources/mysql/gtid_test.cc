#include "sources/mysql/gtid.h"

#include <gtest/gtest.h>

#include "cdc/error.h"

namespace cdc::mysql {
namespace {

TEST(MariaGtidStateTest, KeepsTheLastGtidOfEachDomain) {
  MariaGtidState s = MariaGtidState::Parse("1-2-7, 0-1-42");
  EXPECT_EQ(s.to_string(), "0-1-42,1-2-7");
  s.add(0, 3, 43);
  s.add(5, 1, 1);
  EXPECT_EQ(s.to_string(), "0-3-43,1-2-7,5-1-1");
  EXPECT_TRUE(MariaGtidState::Parse("").empty());
}

TEST(MariaGtidStateTest, RejectsWhatIsNotAPosition) {
  for (const char* bad : {"0-1", "a-b-c", "0-1-2-3", "0-1-2,", "-1-2"}) {
    EXPECT_THROW(MariaGtidState::Parse(bad), Error) << bad;
  }
}

TEST(MySqlGtidSetTest, ParsesMergesAndPrintsLikeTheServer) {
  MySqlGtidSet s = MySqlGtidSet::Parse(
      "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5:7, 24da167a-c7c8-11e2-9d5c-0800271e0e2d:1-3");
  EXPECT_EQ(s.to_string(),
            "24da167a-c7c8-11e2-9d5c-0800271e0e2d:1-3,3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7");
  s.add("3e11fa47-71ca-11e1-9e33-c80aa9429562", "", 6);
  EXPECT_EQ(s.to_string(),
            "24da167a-c7c8-11e2-9d5c-0800271e0e2d:1-3,3e11fa47-71ca-11e1-9e33-c80aa9429562:1-7");
  s.add("24da167a-c7c8-11e2-9d5c-0800271e0e2d", "", 10);
  EXPECT_TRUE(s.contains("24da167a-c7c8-11e2-9d5c-0800271e0e2d", "", 10));
  EXPECT_FALSE(s.contains("24da167a-c7c8-11e2-9d5c-0800271e0e2d", "", 9));
  EXPECT_EQ(s.to_string(),
            "24da167a-c7c8-11e2-9d5c-0800271e0e2d:1-3:10,"
            "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-7");
}

TEST(MySqlGtidSetTest, KeepsTaggedIntervalsApart) {
  MySqlGtidSet s = MySqlGtidSet::Parse("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-2:red:1-4");
  s.add("3e11fa47-71ca-11e1-9e33-c80aa9429562", "red", 5);
  EXPECT_EQ(s.to_string(), "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-2:red:1-5");
  EXPECT_FALSE(s.contains("3e11fa47-71ca-11e1-9e33-c80aa9429562", "", 5));
}

TEST(MySqlGtidSetTest, EncodesForComBinlogDumpGtid) {
  MySqlGtidSet s = MySqlGtidSet::Parse("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7");
  auto le = [](uint64_t v) {
    std::string out;
    for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
    return out;
  };
  const std::string uuid("\x3e\x11\xfa\x47\x71\xca\x11\xe1\x9e\x33\xc8\x0a\xa9\x42\x95\x62", 16);
  EXPECT_EQ(s.encode(), le(1) + uuid + le(2) + le(1) + le(6) + le(7) + le(8));
  EXPECT_EQ(MySqlGtidSet().encode(), le(0));
  EXPECT_THROW(MySqlGtidSet::Parse("3e11fa47-71ca-11e1-9e33-c80aa9429562:red:1").encode(), Error);
}

TEST(MySqlGtidSetTest, RejectsWhatIsNotASet) {
  for (const char* bad : {"nope:1", "3e11fa47-71ca-11e1-9e33-c80aa9429562",
                          "3e11fa47-71ca-11e1-9e33-c80aa9429562:5-2",
                          "3e11fa47-71ca-11e1-9e33-c80aa9429562:0"}) {
    EXPECT_THROW(MySqlGtidSet::Parse(bad), Error) << bad;
  }
}

}  // namespace
}  // namespace cdc::mysql
