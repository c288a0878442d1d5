// RecordLine: the JSON line of one Record, key and value spliced raw.
#include "sinks/file/record_line.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cstring>
#include <nlohmann/json.hpp>
#include <random>

#include "cdc/error.h"
#include "cdc/format.h"
#include "tests/support/test_support.h"

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

// The file sink writes each record straight from the event (RecordRef): key
// and value rendered into the line when the format writes JSON, through the
// look otherwise. That line must be the very line of the materialized
// Record, for every format, op and control event, and read back as it.
class TextFormat : public Format {
 public:
  std::optional<std::string> key(const ChangeEvent& ev) const override {
    if (ev.op == Op::kHeartbeat) return std::nullopt;
    return "key of " + ev.id;
  }
  std::string value(const ChangeEvent& ev) const override {
    return ev.op == Op::kDelete ? "{\n  \"pretty\": true\n}" : "{\"id\":\"" + ev.id + "\"}";
  }
};

std::vector<ChangeEvent> EveryKindOfEvent() {
  using testing::CustomerEvent;
  std::vector<ChangeEvent> events = {
      CustomerEvent(Op::kCreate, 1, "line\nbreak \"quoted\" caf\xc3\xa9", 1, 0),
      CustomerEvent(Op::kUpdate, 1, "b", 2, 0),
      CustomerEvent(Op::kDelete, 1, "b", 3, 0),
      CustomerEvent(Op::kRead, 2, "r", 4, 0),
  };
  ChangeEvent rekey = CustomerEvent(Op::kUpdate, 3, "k", 5, 0);
  rekey.before->values[0] = Value(int64_t{4});  // the key changes: delete + create
  events.push_back(rekey);
  ChangeEvent heartbeat;
  heartbeat.id = "hb-1";
  heartbeat.op = Op::kHeartbeat;
  heartbeat.source = events[0].source;
  events.push_back(heartbeat);
  ChangeEvent ddl = events[0];
  ddl.id = "ddl-1";
  ddl.op = Op::kSchemaChange;
  ddl.before.reset();
  ddl.after.reset();
  ddl.control = {{"ddl", "ALTER TABLE customers\n  ADD note text"}};
  events.push_back(ddl);
  return events;
}

TEST(RecordLineTest, LinesWrittenFromTheEventEqualLinesOfTheRecord) {
  FormatOptions bare;
  bare.schemas = false;
  FormatOptions flat;
  flat.envelope = FormatOptions::Envelope::kFlat;
  const std::vector<std::pair<std::string, std::shared_ptr<const Format>>> formats = {
      {"debezium", MakeFormat(FormatOptions{})},
      {"debezium, schemas: false", MakeFormat(bare)},
      {"flat", MakeFormat(flat)},
      {"not JSON", std::make_shared<TextFormat>()},
  };
  for (const auto& [name, format] : formats) {
    SCOPED_TRACE(name);
    ConfigNode sink(YAML::Load("type: file"), "t.yaml", "sink");
    RecordBuilder builder(TopicRouting::FromConfig(sink, "shop", /*tombstones=*/true), format);
    size_t lines = 0;
    for (const ChangeEvent& ev : EveryKindOfEvent()) {
      SCOPED_TRACE(ev.id);
      struct Lines final : RecordWriter {
        OutBuffer out, scratch;
        size_t n = 0;
        void write(const RecordRef& r) override {
          AppendRecordLine(r, out, scratch);
          ++n;
        }
      } direct;
      builder.build(ev, direct);
      std::vector<Record> records;
      builder.build(ev, records);
      std::string expected;
      for (const Record& r : records) AppendRecordLine(r, expected);
      EXPECT_EQ(direct.out.str(), expected);
      ASSERT_EQ(direct.n, records.size());
      lines += records.size();
      for (const Record& r : records) ExpectSame(ParseBack(r), r);
    }
    // create, update, delete + tombstone, read, delete + tombstone + create,
    // heartbeat, schema change
    EXPECT_EQ(lines, 10u);
  }
}

}  // namespace
}  // namespace cdc::filesink
