// MySQL binary JSON from hand-computed bytes, plus garbage that must give a
// clean cdc::Error.

#include "sources/mysql/json_binary.h"

#include <gtest/gtest.h>

#include <random>

#include "cdc/error.h"

namespace cdc::mysql {
namespace {

std::string Hex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return out;
}

// Found by tests/fuzz/json_binary_fuzz: a value offset past the document
// was a std::out_of_range from string_view::substr, not a cdc::Error.
TEST(JsonBinary, OffsetsPastTheDocumentAreErrors) {
  std::string doc;
  const std::string hex = "0203000d000000ff00000005010005ffffffffffffffffff042d7e0200";
  for (size_t i = 0; i < hex.size(); i += 2) {
    doc += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  EXPECT_THROW(JsonBinaryToText(doc), Error);
}

TEST(JsonBinary, Containers) {
  // {"a": 1}: count 1, size 12, key entry (11, 1), value entry int16 inline.
  EXPECT_EQ(JsonBinaryToText(Hex("0001000c000b0001000501006"
                                 "1")),
            R"({"a": 1})");
  // [true, "x"]: literal inline, string at offset 10.
  EXPECT_EQ(JsonBinaryToText(Hex("0202000c000401000c0a000178")), R"([true, "x"])");
  EXPECT_EQ(JsonBinaryToText(Hex("020000"
                                 "0400")),
            "[]");
}

TEST(JsonBinary, Scalars) {
  EXPECT_EQ(JsonBinaryToText(Hex("0b000000000000f83f")), "1.5");
  EXPECT_EQ(JsonBinaryToText(Hex("0b0000000000000040")), "2.0");
  EXPECT_EQ(JsonBinaryToText(Hex("09fbffffffffffffff")), "-5");
  EXPECT_EQ(JsonBinaryToText(Hex("0affffffffffffffff")), "18446744073709551615");
  EXPECT_EQ(JsonBinaryToText(Hex("0c03") + "a\"b"), R"("a\"b")");
  EXPECT_EQ(JsonBinaryToText(Hex("0400")), "null");
  EXPECT_EQ(JsonBinaryToText(""), "null");
}

TEST(JsonBinary, Opaque) {
  // DECIMAL(4,2) 12.34 as an opaque value: type 246, length 4, p, s, bytes.
  EXPECT_EQ(JsonBinaryToText(Hex("0ff60404028c22")), "12.34");
  // Other types: base64 with the type number, like MySQL prints them.
  EXPECT_EQ(JsonBinaryToText(Hex("0f0f0155")), R"("base64:type15:VQ==")");
}

TEST(JsonBinary, GarbageGivesCleanErrors) {
  EXPECT_THROW(JsonBinaryToText(Hex("00ffff")), Error);
  EXPECT_THROW(JsonBinaryToText(Hex("0001000c000b00ff00050100")), Error);
  EXPECT_THROW(JsonBinaryToText(Hex("0d")), Error);
  std::mt19937 rng(42);
  for (int i = 0; i < 20000; ++i) {
    std::string s(rng() % 40, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    if (!s.empty()) s[0] = static_cast<char>(rng() % 16);
    try {
      JsonBinaryToText(s);
    } catch (const Error&) {
    }
  }
}

}  // namespace
}  // namespace cdc::mysql
