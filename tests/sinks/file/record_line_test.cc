// RecordLine: the JSON line of one Record, key and value spliced raw.
#include "sinks/file/record_line.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cdc/error.h"

namespace cdc::filesink {
namespace {

TEST(RecordLineTest, SplicesJsonKeyAndValueVerbatim) {
  Record r{"t.x", R"({"id": 1})", R"({"b":2,"a":1})", {{"cdcd.op", "c"}, {"cdcd.event_id", "e1"}}};
  std::string out = "prefix|";
  AppendRecordLine(r, out);
  EXPECT_EQ(out,
            "prefix|{\"topic\":\"t.x\",\"key\":{\"id\": 1},\"value\":{\"b\":2,\"a\":1},"
            "\"headers\":{\"cdcd.op\":\"c\",\"cdcd.event_id\":\"e1\"}}\n");
}

TEST(RecordLineTest, NullKeyAndTombstoneAreNull) {
  Record r{"t", std::nullopt, std::nullopt, {}};
  std::string out;
  AppendRecordLine(r, out);
  EXPECT_EQ(out, "{\"topic\":\"t\",\"key\":null,\"value\":null,\"headers\":{}}\n");
}

TEST(RecordLineTest, NonJsonBytesBecomeJsonStrings) {
  Record r{"t\"q", "plain text", "{\n  \"pretty\": true\n}", {{"h", "tab\there"}}};
  std::string out;
  AppendRecordLine(r, out);
  EXPECT_EQ(out,
            "{\"topic\":\"t\\\"q\",\"key\":\"plain text\","
            "\"value\":\"{\\n  \\\"pretty\\\": true\\n}\",\"headers\":{\"h\":\"tab\\there\"}}\n");
  nlohmann::json j = nlohmann::json::parse(out);
  EXPECT_EQ(j["value"], "{\n  \"pretty\": true\n}");
}

TEST(RecordLineTest, BytesThatAreNeitherJsonNorUtf8AreAnError) {
  Record r{"orders", "\xff\xfe", "{}", {}};
  std::string out;
  try {
    AppendRecordLine(r, out);
    FAIL() << "no error for binary key";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("the key of a record for topic 'orders'"),
              std::string::npos)
        << e.what();
  }
}

TEST(RecordLineTest, LooksLikeJson) {
  for (const char* yes : {"{}", "{\"a\":1}", "[1,2]", "\"s\"", "true", "false", "null", "0", "-1",
                          "12.5", "-0.5e+3", "1E9"}) {
    EXPECT_TRUE(LooksLikeJson(yes)) << yes;
  }
  for (const char* no : {"", "{", "\"", "abc", "01", "1.", "-", "1e", ".5", "+1", "True", " {}",
                         "{}\n", "{\"a\":\n1}", "[1]\r"}) {
    EXPECT_FALSE(LooksLikeJson(no)) << no;
  }
}

}  // namespace
}  // namespace cdc::filesink
