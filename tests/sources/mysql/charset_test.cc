// Charset conversion to UTF-8 on real byte strings. Every expected string is
// what MariaDB 10.11 itself returns for CONVERT(_<charset> 0x... USING utf8mb4).

#include "sources/mysql/charset.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "cdc/error.h"
#include "sources/mysql/row_value_decoder.h"

namespace cdc::mysql {
namespace {

std::string Hex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return out;
}

// Collation ids (information_schema.COLLATIONS).
constexpr uint32_t kBig5ChineseCi = 1;
constexpr uint32_t kLatin1SwedishCi = 8;
constexpr uint32_t kLatin2GeneralCi = 9;
constexpr uint32_t kKoi8rGeneralCi = 7;
constexpr uint32_t kUjisJapaneseCi = 12;
constexpr uint32_t kSjisJapaneseCi = 13;
constexpr uint32_t kEuckrKoreanCi = 19;
constexpr uint32_t kGbkChineseCi = 28;
constexpr uint32_t kUcs2GeneralCi = 35;
constexpr uint32_t kUtf8mb4GeneralCi = 45;
constexpr uint32_t kCp1251GeneralCi = 51;
constexpr uint32_t kUtf16GeneralCi = 54;
constexpr uint32_t kUtf16leGeneralCi = 56;
constexpr uint32_t kUtf32GeneralCi = 60;
constexpr uint32_t kBinary = 63;
constexpr uint32_t kAsciiGeneralCi = 11;
constexpr uint32_t kKeybcs2GeneralCi = 37;
constexpr uint32_t kUtf8mb4_0900AiCi = 255;     // MySQL 8
constexpr uint32_t kUtf8mb4Uca1400AiCi = 2304;  // MariaDB 11

TEST(CharsetTest, CollationIdsResolveThroughConnectorC) {
  EXPECT_EQ(CollationCharset(kLatin1SwedishCi), "latin1");
  EXPECT_EQ(CollationCharset(kSjisJapaneseCi), "sjis");
  EXPECT_EQ(CollationCharset(kBinary), "binary");
  EXPECT_EQ(CollationCharset(kUtf8mb4_0900AiCi), "utf8mb4");
  EXPECT_EQ(CollationCharset(kUtf8mb4Uca1400AiCi), "utf8mb4");
  EXPECT_EQ(CollationCharset(4000), std::nullopt);
}

TEST(CharsetTest, Latin1IsCp1252WithTheServersC1Controls) {
  EXPECT_EQ(CollationToUtf8(Hex("8041E981"), kLatin1SwedishCi), "\u20acA\u00e9\u0081");
}

TEST(CharsetTest, SingleByteCharsets) {
  EXPECT_EQ(CollationToUtf8(Hex("B1E6"), kLatin2GeneralCi), "\u0105\u0107");
  EXPECT_EQ(CollationToUtf8(Hex("CFF0E8E2E5F2"), kCp1251GeneralCi),
            "\u041f\u0440\u0438\u0432\u0435\u0442");
  EXPECT_EQ(CollationToUtf8(Hex("F0D2C9D7C5D4"), kKoi8rGeneralCi),
            "\u041f\u0440\u0438\u0432\u0435\u0442");
}

TEST(CharsetTest, SingleByteBytesWhereMariaDbDiffersFromGlibc) {
  // ISO-8859-7:2003 (glibc) has U+2018/U+2019 at 0xA1/0xA2; MariaDB's greek
  // keeps the 1987 modifier letters.
  EXPECT_EQ(CharsetToUtf8(Hex("A1E1"), "greek"), "\u02bd\u03b1");
  // swe7 is ISO646-SE2 but with '$' at 0x24, not the currency sign.
  EXPECT_EQ(CharsetToUtf8(Hex("245B"), "swe7"), "$\u00c4");
}

TEST(CharsetTest, MultiByteCharsets) {
  EXPECT_EQ(CollationToUtf8(Hex("C4E3BAC3"), kGbkChineseCi), "\u4f60\u597d");
  EXPECT_EQ(CollationToUtf8(Hex("A741A66E"), kBig5ChineseCi), "\u4f60\u597d");
  EXPECT_EQ(CollationToUtf8(Hex("C7D1B1DB"), kEuckrKoreanCi), "\ud55c\uae00");
  EXPECT_EQ(CharsetToUtf8(Hex("C4E3"), "gb2312"), "\u4f60");
}

TEST(CharsetTest, SjisAndUjisUseMysqlsJisSymbols) {
  // 0x5C is a backslash (not the yen sign of glibc's SJIS) and 0x815F the
  // JIS backslash U+005C (not CP932's fullwidth U+FF3C).
  EXPECT_EQ(CollationToUtf8(Hex("82A05C815F7E"), kSjisJapaneseCi), "\u3042\\\\~");
  // ujis: 0xA1C0 likewise; 0x8FB0A1 is a 3-byte JIS X 0212 kanji.
  EXPECT_EQ(CollationToUtf8(Hex("A4A2A1C08FB0A1"), kUjisJapaneseCi), "\u3042\\\u4e02");
}

TEST(CharsetTest, UnicodeEncodings) {
  EXPECT_EQ(CollationToUtf8(Hex("004120AC"), kUcs2GeneralCi), "A\u20ac");
  const std::string grinning = "\xF0\x9F\x98\x80";  // U+1F600
  EXPECT_EQ(CollationToUtf8(Hex("D83DDE00"), kUtf16GeneralCi), grinning);
  EXPECT_EQ(CollationToUtf8(Hex("3DD800DE"), kUtf16leGeneralCi), grinning);
  EXPECT_EQ(CollationToUtf8(Hex("0001F600"), kUtf32GeneralCi), grinning);
  EXPECT_EQ(CollationToUtf8(grinning, kUtf8mb4GeneralCi), grinning);
  // All-ASCII UCS-2 still needs converting: its bytes are not ASCII text.
  EXPECT_EQ(CollationToUtf8(Hex("00410042"), kUcs2GeneralCi), "AB");
}

TEST(CharsetTest, BinaryStaysBytes) {
  EXPECT_EQ(CollationToUtf8(Hex("00FF80"), kBinary), Hex("00FF80"));
  // row_value_decoder delivers collation 63 as Bytes without converting.
  TableMapColumn col;
  col.type = col.real_type = 15;  // VARCHAR
  col.length = 10;
  col.collation = kBinary;
  std::string row = Hex("0300FF80");
  ByteCursor c(row);
  EXPECT_EQ(DecodeColumnValue(c, col, {}), Value(Bytes{Hex("00FF80")}));
}

TEST(CharsetTest, UnknownCollationPassesBytesThrough) {
  EXPECT_EQ(CollationToUtf8(Hex("E9FF"), 4000), Hex("E9FF"));
  EXPECT_EQ(CollationToUtf8(Hex("E9FF"), 4000), Hex("E9FF"));  // warned once only
}

void ExpectError(const std::string& text, const std::string& charset, const std::string& message) {
  try {
    CharsetToUtf8(text, charset);
    ADD_FAILURE() << charset << ": no error, expected " << message;
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), message);
  }
}

TEST(CharsetTest, InvalidBytesThrowWithCharsetAndOffset) {
  ExpectError(Hex("41CF98"), "cp1251", "invalid cp1251 character at byte offset 2 (byte 0x98)");
  ExpectError(Hex("41AE"), "greek", "invalid greek character at byte offset 1 (byte 0xAE)");
  ExpectError(Hex("4180"), "ascii", "invalid ascii character at byte offset 1 (byte 0x80)");
  ExpectError(Hex("C4E3FF41"), "gbk", "invalid gbk character at byte offset 2 (byte 0xFF)");
  ExpectError(Hex("4182"), "sjis", "truncated sjis character at byte offset 1 (byte 0x82)");
  ExpectError(Hex("D83D0041"), "utf16", "invalid utf16 character at byte offset 0 (byte 0xD8)");
  ExpectError(Hex("0041D8"), "ucs2", "truncated ucs2 character at byte offset 2 (byte 0xD8)");
}

TEST(CharsetTest, CharsetsWithoutConverterThrow) {
  try {
    CollationToUtf8("abc", kKeybcs2GeneralCi);
    ADD_FAILURE() << "keybcs2 converted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "charset keybcs2 has no converter to UTF-8");
  }
}

TEST(CharsetTest, RowDecoderConvertsTextColumns) {
  TableMapColumn col;
  col.type = col.real_type = 252;  // BLOB family: TEXT
  col.length = 2;
  col.collation = kCp1251GeneralCi;
  std::string row = Hex("0200CFF0");
  ByteCursor c(row);
  EXPECT_EQ(DecodeColumnValue(c, col, {}), Value(std::string("\u041f\u0440")));
  col.collation = kAsciiGeneralCi;
  ByteCursor bad(row);
  EXPECT_THROW(DecodeColumnValue(bad, col, {}), Error);
}

TEST(CharsetTest, ThreadsConvertConcurrently) {
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &ok] {
      for (int i = 0; i < 2000; ++i) {
        bool good = CollationToUtf8(Hex("82A05C"), kSjisJapaneseCi) == "\u3042\\" &&
                    CollationToUtf8(Hex("C4E3"), kGbkChineseCi) == "\u4f60" &&
                    CollationToUtf8(Hex("80"), kLatin1SwedishCi) == "\u20ac";
        ok[t] += good ? 1 : 0;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok, std::vector<int>(4, 2000));
}

}  // namespace
}  // namespace cdc::mysql
