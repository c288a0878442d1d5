// The text of MariaDB's UUID, INET4 and INET6 values. The INET6 expectations
// are what MariaDB 10.11 itself prints for those addresses (SELECT of an
// INET6 column); the live test in mysql_types_live_test.cc checks streamed
// values against the server's text for the same list.
#include "sources/mysql/mariadb_types.h"

#include <gtest/gtest.h>

#include "cdc/error.h"

namespace cdc::mysql {
namespace {

std::string Bytes16(std::initializer_list<uint16_t> groups) {
  std::string b;
  for (uint16_t g : groups) {
    b += static_cast<char>(g >> 8);
    b += static_cast<char>(g & 0xff);
  }
  return b;
}

std::string Inet6(std::initializer_list<uint16_t> groups) {
  return MariaDbTypeText(MariaDbType::kInet6, Bytes16(groups));
}

TEST(MariaDbTypes, UuidIsHexInByteOrder) {
  EXPECT_EQ(MariaDbTypeText(MariaDbType::kUuid, Bytes16({0x6ccd, 0x780c, 0xbaba, 0x1026, 0x9564,
                                                         0x5b8c, 0x6560, 0x24db})),
            "6ccd780c-baba-1026-9564-5b8c656024db");
  EXPECT_EQ(MariaDbTypeText(MariaDbType::kUuid, std::string(16, '\xff')),
            "ffffffff-ffff-ffff-ffff-ffffffffffff");
}

TEST(MariaDbTypes, Inet4IsDottedDecimal) {
  EXPECT_EQ(MariaDbTypeText(MariaDbType::kInet4, std::string("\xff\x00\x7f\x01", 4)),
            "255.0.127.1");
}

TEST(MariaDbTypes, Inet6AsMariaDbPrintsIt) {
  EXPECT_EQ(Inet6({0, 0, 0, 0, 0, 0, 0, 0}), "::");
  EXPECT_EQ(Inet6({0, 0, 0, 0, 0, 0, 0, 1}), "::1");
  EXPECT_EQ(Inet6({1, 0, 0, 0, 0, 0, 0, 0}), "1::");
  EXPECT_EQ(Inet6({0, 0, 0, 0, 0, 0, 0, 2}), "::2");  // a run of 7: not IPv4-compatible
  EXPECT_EQ(Inet6({0, 0, 0, 0, 0, 0, 0x0102, 0x0304}), "::1.2.3.4");
  EXPECT_EQ(Inet6({0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304}), "::ffff:1.2.3.4");
  EXPECT_EQ(Inet6({0, 0, 0, 0, 0, 0xffff, 0, 0}), "::ffff:0.0.0.0");
  EXPECT_EQ(Inet6({1, 0, 0, 1, 0, 0, 0, 1}), "1:0:0:1::1");      // the longest run
  EXPECT_EQ(Inet6({1, 0, 1, 0, 1, 0, 1, 0}), "1::1:0:1:0:1:0");  // a single group too
  EXPECT_EQ(Inet6({1, 0, 0, 2, 0, 0, 3, 4}), "1::2:0:0:3:4");    // the first of equal runs
  EXPECT_EQ(Inet6({0x2001, 0xdb8, 0, 0, 1, 0, 0, 1}), "2001:db8::1:0:0:1");
  EXPECT_EQ(Inet6({0, 0, 0, 0, 0, 1, 0, 0}), "::1:0:0");
  EXPECT_EQ(Inet6({0xfe80, 0, 0, 0, 0, 0, 1, 2}), "fe80::1:2");
  EXPECT_EQ(Inet6({1, 2, 3, 4, 5, 6, 7, 8}), "1:2:3:4:5:6:7:8");
  EXPECT_EQ(Inet6({0xabcd, 0, 0, 0, 0, 0, 0, 0xef}), "abcd::ef");
  EXPECT_EQ(Inet6({0, 0, 1, 0, 0, 0, 0, 0}), "0:0:1::");
}

TEST(MariaDbTypes, WrongWidthIsAnError) {
  EXPECT_THROW(MariaDbTypeText(MariaDbType::kInet4, std::string(16, '\0')), Error);
  EXPECT_THROW(MariaDbTypeText(MariaDbType::kUuid, std::string(15, '\0')), Error);
  EXPECT_THROW(MariaDbTypeText(MariaDbType::kNone, std::string(16, '\0')), Error);
}

}  // namespace
}  // namespace cdc::mysql
