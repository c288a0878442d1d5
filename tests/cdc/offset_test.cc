#include "cdc/offset.h"

#include <gtest/gtest.h>

#include "cdc/error.h"

namespace cdc {
namespace {

TEST(OffsetTest, JsonRoundTripKeepsEverything) {
  Offset o{"0/16B3748", 12, nlohmann::json{{"snapshot", {{"table", "public.t"}, {"last", 41}}}}};
  EXPECT_EQ(Offset::from_json(o.to_json(), "test"), o);
  Offset plain{"mysql-bin.000003:4", 0, nullptr};
  EXPECT_FALSE(plain.to_json().contains("state"));
  EXPECT_EQ(Offset::from_json(plain.to_json(), "test"), plain);
}

TEST(OffsetTest, RejectsWhatIsNotAnOffsetNamingWhere) {
  for (const char* bad : {R"([])", R"({"tx": 1, "index": 0})", R"({"tx": "a"})",
                          R"({"tx": "a", "index": -1})"}) {
    try {
      Offset::from_json(nlohmann::json::parse(bad), "offsets.json");
      ADD_FAILURE() << bad;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("offsets.json: not an offset"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace cdc
