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
  for (const char* bad :
       {R"([])", R"({"tx": 1, "index": 0})", R"({"tx": "a"})", R"({"tx": "a", "index": -1})"}) {
    try {
      Offset::from_json(nlohmann::json::parse(bad), "offsets.json");
      ADD_FAILURE() << bad;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("offsets.json: not an offset"), std::string::npos);
    }
  }
}

TEST(OffsetTest, DebugStringCutsALongState) {
  EXPECT_EQ(Offset("0/1", 2, {{"gtid", "0-1-5"}}).debug_string(), R"(0/1#2 {"gtid":"0-1-5"})");
  nlohmann::json tables = nlohmann::json::array();
  for (int i = 0; i < 1000; ++i) tables.push_back({{"table", "public.t" + std::to_string(i)}});
  const Offset big("0/1", 0, {{"incremental", {{"tables", tables}}}});
  const std::string s = big.debug_string();
  EXPECT_TRUE(s.starts_with(R"(0/1#0 {"incremental":{"tables":[{"table":"public.t0"})")) << s;
  EXPECT_TRUE(s.ends_with("... (" + std::to_string(big.state.dump().size()) + " bytes)")) << s;
  EXPECT_LT(s.size(), 450u);
}

TEST(OffsetTest, SharedStateIsBuiltWithThePartBesideIt) {
  auto shared = std::make_shared<const SharedOffsetState>(nlohmann::json{{"gtid", "0-1-5"}});
  Offset a("binlog.000001:4", 1), b("binlog.000001:4", 2);
  a.deferred = b.deferred = shared;
  EXPECT_EQ(a.resolved_state(), (nlohmann::json{{"gtid", "0-1-5"}}));
  EXPECT_EQ(a, Offset("binlog.000001:4", 1, {{"gtid", "0-1-5"}}));
  EXPECT_NE(a, b);
  // A coordinator's part set beside it is added.
  b.state = {{"snapshot", {{"table", "db.t"}}}};
  b.resolve();
  EXPECT_EQ(b.state, (nlohmann::json{{"gtid", "0-1-5"}, {"snapshot", {{"table", "db.t"}}}}));
  EXPECT_EQ(b.deferred, nullptr);
  // A null shared state with a part beside it is that part.
  EXPECT_EQ(SharedOffsetState(nullptr).build({{"k", 1}}), (nlohmann::json{{"k", 1}}));
  EXPECT_THROW(SharedOffsetState(nlohmann::json{{"gtid", "x"}}).build("text"), Error);
}

}  // namespace
}  // namespace cdc
