// Crc32: the CRC-32 the binlog checksums events with (CRC-32/ISO-HDLC).
#include "sources/mysql/format_description.h"

#include <gtest/gtest.h>

#include <string>

namespace cdc::mysql {
namespace {

TEST(Crc32Test, MatchesTheStandardCheckValueAndChains) {
  EXPECT_EQ(Crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(Crc32(""), 0u);
  const std::string a = "binlog event header", b = std::string(100000, '\xA5') + "body";
  EXPECT_EQ(Crc32(b, Crc32(a)), Crc32(a + b));
}

}  // namespace
}  // namespace cdc::mysql
