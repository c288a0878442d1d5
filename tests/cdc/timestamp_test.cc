// Command-line timestamps: every accepted form, and what is refused.
#include "cdc/timestamp.h"

#include <gtest/gtest.h>

namespace cdc {
namespace {

constexpr int64_t k20261204 = 1'796'342'400'000'000;  // 2026-12-04T00:00:00Z in µs

TEST(TimestampTest, AcceptedForms) {
  EXPECT_EQ(ParseTimestampMicros("2026-12-04"), k20261204);
  EXPECT_EQ(ParseTimestampMicros("2026-12-04T10:15"), k20261204 + 36'900'000'000);
  EXPECT_EQ(ParseTimestampMicros("2026-12-04T10:15:30Z"), k20261204 + 36'930'000'000);
  EXPECT_EQ(ParseTimestampMicros("2026-12-04 10:15:30.123456"), k20261204 + 36'930'123'456);
  EXPECT_EQ(ParseTimestampMicros("2026-12-04t10:15:30.5z"), k20261204 + 36'930'500'000);
  EXPECT_EQ(ParseTimestampMicros("2026-12-04T10:15:30.123456000+00:00"),
            k20261204 + 36'930'123'456);
  EXPECT_EQ(ParseTimestampMicros("2026-12-04T11:15:30+01:00"), k20261204 + 36'930'000'000);
  EXPECT_EQ(ParseTimestampMicros("2026-12-04T11:15:30+0100"), k20261204 + 36'930'000'000);
  EXPECT_EQ(ParseTimestampMicros("2026-12-04T05:15:30-05"), k20261204 + 36'930'000'000);
  EXPECT_EQ(ParseTimestampMicros("1796342400123"), k20261204 + 123'000);
  EXPECT_EQ(ParseTimestampMicros("1969-12-31T23:59:59.999999Z"), -1);
  EXPECT_EQ(ParseTimestampMicros("2024-02-29"), 1'709'164'800'000'000);
}

TEST(TimestampTest, RefusedForms) {
  for (const char* bad :
       {"", "yesterday", "2026-13-01", "2026-02-29", "2026-12-4", "2026-12-04T25:00",
        "2026-12-04T10:60", "2026-12-04T10:15:30.", "2026-12-04T10:15:30.1234567",
        "2026-12-04T10:15:30.1234567891", "2026-12-04T10:15:30+25:00", "2026-12-04T10:15:30 UTC",
        "2026-12-04X10:15", "-5", "12345678901234567"}) {
    EXPECT_EQ(ParseTimestampMicros(bad), std::nullopt) << bad;
  }
}

TEST(TimestampTest, FormatsBackToIso) {
  EXPECT_EQ(FormatTimestampMicros(k20261204 + 36'930'000'000), "2026-12-04T10:15:30Z");
  EXPECT_EQ(FormatTimestampMicros(k20261204 + 36'930'123'456), "2026-12-04T10:15:30.123456Z");
  EXPECT_EQ(FormatTimestampMicros(-1), "1969-12-31T23:59:59.999999Z");
  for (int64_t us : {int64_t{0}, int64_t{-86'400'000'001}, k20261204 + 7}) {
    EXPECT_EQ(ParseTimestampMicros(FormatTimestampMicros(us)), us);
  }
}

}  // namespace
}  // namespace cdc
