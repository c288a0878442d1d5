// NextByteToEscape and JsonWriter's strings: the word-at-a-time scan finds
// exactly the first byte a JSON string cannot hold as is, at any alignment,
// and the escaped text equals nlohmann's for valid UTF-8.
#include "cdc/format/json_writer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

namespace cdc::format {
namespace {

TEST(NextByteToEscape, FindsEachSpecialByteAtEveryPosition) {
  const std::string specials = std::string("\"\\\x01\x1f\x80\xff", 6) + std::string(1, '\0');
  for (char special : specials) {
    for (size_t len = 1; len <= 24; ++len) {
      for (size_t at = 0; at < len; ++at) {
        std::string s(len, 'a');
        s[at] = special;
        for (size_t from = 0; from <= at; ++from) {
          ASSERT_EQ(NextByteToEscape(s, from), at)
              << "byte " << int(static_cast<unsigned char>(special)) << " at " << at << " of "
              << len << " from " << from;
        }
        EXPECT_EQ(NextByteToEscape(s, at + 1), len);
      }
    }
  }
  // Bytes just around the special ranges need nothing.
  const std::string plain = std::string(" !#[]~\x7f", 7) + "0123456789";
  EXPECT_EQ(NextByteToEscape(plain, 0), plain.size());
}

TEST(JsonWriterStrings, EqualNlohmannForRandomUtf8) {
  std::mt19937 rng(11);
  const std::vector<std::string> pieces = {
      "plain text ",      "\"", "\\", "/",   "\x7f", "\xc3\xa9", "\xe2\x82\xac",
      "\xf0\x9f\x98\x80", "\n", "\t", "\x01"};
  for (int n = 0; n < 2000; ++n) {
    std::string s;
    for (size_t k = rng() % 16; k > 0; --k) s += pieces[rng() % pieces.size()];
    JsonWriter w(1);
    w.string(s);
    EXPECT_EQ(w.take(), nlohmann::json(s).dump()) << s;
  }
}

// The escaper JsonWriter, the file sink's lines and MySQL's JSON documents
// share: the same text appended to a string, and invalid UTF-8 either
// replaced (U+FFFD per bad byte) or refused leaving `out` as it was.
TEST(AppendJsonString, EqualsJsonWriterAndReplacesOrRefusesInvalidUtf8) {
  std::mt19937 rng(12);
  const std::vector<std::string> pieces = {
      "ab", "\"", "\\", "\x01", "\n", "\xc3\xa9", "\xf0\x9f\x98\x80"};
  for (int n = 0; n < 500; ++n) {
    std::string s;
    for (size_t k = rng() % 12; k > 0; --k) s += pieces[rng() % pieces.size()];
    std::string out = "x";
    ASSERT_TRUE(AppendJsonString(out, s, /*strict=*/true));
    EXPECT_EQ(out, "x" + nlohmann::json(s).dump()) << s;
  }
  // A lone continuation byte, a truncated sequence, an overlong form and a
  // surrogate, each after text long enough to have been copied already.
  for (std::string bad : {"\x80", "\xc3", "\xc0\xaf", "\xed\xa0\x80"}) {
    const std::string s = "0123456789abcdef\n" + bad + "z";
    std::string out = "x";
    EXPECT_FALSE(AppendJsonString(out, s, /*strict=*/true));
    EXPECT_EQ(out, "x");
    std::string replaced;
    EXPECT_TRUE(AppendJsonString(replaced, s));
    std::string want = "\"0123456789abcdef\\n";
    for (size_t i = 0; i < bad.size(); ++i) want += "\xEF\xBF\xBD";
    EXPECT_EQ(replaced, want + "z\"");
    JsonWriter w(1);
    w.string(s);
    EXPECT_EQ(w.take(), replaced);
  }
}

// Into a sink's buffer: appended after what it holds, shown only once
// committed, and a render abandoned half way (an exception) leaves it as it
// was, even when the writer had to grow the buffer meanwhile.
TEST(JsonWriterIntoBuffer, AppendsOnCommitOnly) {
  OutBuffer out;
  out += "line 1\n";
  {
    JsonWriter w(out, 4);
    w.begin_object();
    w.plain_key("s");
    w.string(std::string(5000, 'a'));  // grows the buffer with text pending
    w.plain_key("n");
    w.int64(-7);
    w.end_object();
    w.commit();
  }
  EXPECT_EQ(out.str(), "line 1\n{\"s\":\"" + std::string(5000, 'a') + "\",\"n\":-7}");
  const std::string before = out.str();
  {
    JsonWriter w(out, 4);
    w.begin_object();
    w.plain_key("big");
    w.string(std::string(100000, 'b'));
    // no commit: as if the rest of the render threw
  }
  EXPECT_EQ(out.str(), before);
  {
    JsonWriter w(out);
    w.boolean(true);
    w.commit();
  }
  EXPECT_EQ(out.str(), before + "true");
}

}  // namespace
}  // namespace cdc::format
