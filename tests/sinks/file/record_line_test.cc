// RecordLine: the JSON line of one Record, key and value spliced raw.
#include "sinks/file/record_line.h"

#include <gtest/gtest.h>

#include <cstring>
#include <nlohmann/json.hpp>
#include <random>

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

// Strings are escaped as nlohmann::json dumps them, byte for byte, for
// every byte value and random UTF-8 (the line writer escapes by itself).
TEST(RecordLineTest, StringsAreEscapedAsNlohmannDumpsThem) {
  std::mt19937 rng(7);
  const std::vector<std::string> pieces = {
      "a", "\"", "\\", "/", "\x7f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", " "};
  std::vector<std::string> samples;
  for (int c = 0; c < 0x20; ++c) samples.push_back(std::string(1, static_cast<char>(c)) + "x");
  for (int n = 0; n < 500; ++n) {
    std::string s;
    for (size_t k = rng() % 12; k > 0; --k) {
      s += rng() % 3 ? pieces[rng() % pieces.size()]
                     : std::string(1, static_cast<char>(rng() % 0x20));
    }
    samples.push_back(s);
  }
  for (const std::string& s : samples) {
    Record r{s, std::nullopt, std::nullopt, {{s, s}}};
    std::string out;
    AppendRecordLine(r, out);
    const std::string quoted = nlohmann::json(s).dump();
    EXPECT_EQ(out, "{\"topic\":" + quoted + ",\"key\":null,\"value\":null,\"headers\":{" + quoted +
                       ":" + quoted + "}}\n");
  }
  // Not UTF-8 in a header: an error naming the topic.
  Record bad{"orders", std::nullopt, std::nullopt, {{"h", "caf\xe9"}}};
  std::string out;
  EXPECT_THROW(AppendRecordLine(bad, out), Error);
}

TEST(RecordLineTest, LooksLikeJson) {
  for (const char* yes :
       {"{}", "{\"a\":1}", "[1,2]", "true", "false", "0", "-1", "12.5", "-0.5e+3", "1E9"}) {
    EXPECT_TRUE(LooksLikeJson(yes)) << yes;
  }
  // A JSON string or null would read back as embedded bytes or as null.
  for (const char* no : {"", "{", "\"", "\"s\"", "null", "abc", "01", "1.", "-", "1e", ".5", "+1",
                         "True", " {}", "{}\n", "{\"a\":\n1}", "[1]\r"}) {
    EXPECT_FALSE(LooksLikeJson(no)) << no;
  }
}

// The parser reads the line back into the very Record that made it.
Record ParseBack(const Record& r) {
  std::string line;
  AppendRecordLine(r, line);
  line.pop_back();  // the newline
  std::string padded = line + std::string(kLinePadding, ' ');
  RecordLineParser parser;
  Record out;
  parser.parse(std::string_view(padded.data(), line.size()), out, "seg", 7);
  return out;
}

void ExpectSame(const Record& a, const Record& b) {
  EXPECT_EQ(a.topic, b.topic);
  EXPECT_EQ(a.key, b.key);
  EXPECT_EQ(a.value, b.value);
  ASSERT_EQ(a.headers.size(), b.headers.size());
  for (size_t i = 0; i < a.headers.size(); ++i) {
    EXPECT_EQ(a.headers[i].name, b.headers[i].name);
    EXPECT_EQ(a.headers[i].value, b.headers[i].value);
  }
}

TEST(RecordLineTest, ParsesBackByteForByte) {
  const std::vector<Record> records = {
      {"t.x", R"({"id": 1})", R"({"b":2,"a":1, "s":"\u00e9\n"})", {{"cdcd.op", "c"}}},
      {"t", std::nullopt, std::nullopt, {}},
      {"\"q\"\u00fcnicode \u00e9", "plain text", "{\n  \"pretty\": true\n}", {{"h", "tab\there"}}},
      {"n", "null", "\"a string\"", {{"empty", ""}}},
      {"nums", "-12.5e3", "true", {}},
      {"arr", "[1,{\"a\":[]}]", "false", {{"a", "1"}, {"b", "2"}}},
  };
  for (const Record& r : records) {
    SCOPED_TRACE(r.topic);
    ExpectSame(ParseBack(r), r);
  }
}

TEST(RecordLineTest, RefusesLinesThatAreNotRecords) {
  RecordLineParser parser;
  Record out;
  for (const char* bad : {"", "{}", "{\"topic\":\"t\"}", "[1]",
                          "{\"topic\":1,\"key\":null,\"value\":null,\"headers\":{}}",
                          "{\"key\":null,\"topic\":\"t\",\"value\":null,\"headers\":{}}",
                          "{\"topic\":\"t\",\"key\":null,\"value\":null,\"headers\":{\"h\":1}}",
                          "{\"topic\":\"t\",\"key\":null,\"value\":null,\"headers\":{},\"x\":1}",
                          "{\"topic\":\"t\",\"key\":{\"a\":,\"value\":null,\"headers\":{}}"}) {
    std::string padded = std::string(bad) + std::string(kLinePadding, ' ');
    EXPECT_THROW(parser.parse(std::string_view(padded.data(), std::strlen(bad)), out, "seg", 42),
                 Error)
        << bad;
  }
  std::string padded = "{}" + std::string(kLinePadding, ' ');
  try {
    parser.parse(std::string_view(padded.data(), 2), out, "events-000003.jsonl", 42);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("events-000003.jsonl: byte 42: not a cdcd record line"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace cdc::filesink
