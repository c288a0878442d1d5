// Unit tests of the encodings shared by the formats. Expected values are
// computed by hand (or with Java's BigInteger.toByteArray semantics: minimal
// big-endian two's complement) and written out literally.
#include "cdc/format/value_encoding.h"

#include <gtest/gtest.h>

#include <cmath>

#include "cdc/format/json_writer.h"

namespace cdc::format {
namespace {

std::string DecimalBase64(const std::string& text, int32_t scale) {
  auto d = ParseDecimal(text);
  EXPECT_TRUE(d) << text;
  if (!d) return "";
  auto bytes = UnscaledBytes(*d, scale);
  EXPECT_TRUE(bytes) << text << " at scale " << scale;
  return bytes ? Base64(*bytes) : "";
}

TEST(DecimalBytes, SmallValuesMatchHandComputedTwosComplement) {
  EXPECT_EQ(DecimalBase64("12.50", 2), "BOI=");  // 1250 = 0x04E2
  EXPECT_EQ(DecimalBase64("-1", 0), "/w==");     // 0xFF
  EXPECT_EQ(DecimalBase64("128", 0), "AIA=");    // 0x0080: sign byte needed
  EXPECT_EQ(DecimalBase64("-129", 0), "/38=");   // 0xFF7F
  EXPECT_EQ(DecimalBase64("127", 0), "fw==");    // 0x7F
  EXPECT_EQ(DecimalBase64("-128", 0), "gA==");   // 0x80: no sign byte needed
  EXPECT_EQ(DecimalBase64("255", 0), "AP8=");    // 0x00FF
  EXPECT_EQ(DecimalBase64("-256", 0), "/wA=");   // 0xFF00
  EXPECT_EQ(DecimalBase64("32768", 0), "AIAA");  // 0x008000
  EXPECT_EQ(DecimalBase64("-32768", 0), "gAA=");
  EXPECT_EQ(DecimalBase64("-65536", 0), "/wAA");
}

TEST(DecimalBytes, ZeroIsOneZeroByte) {
  EXPECT_EQ(DecimalBase64("0", 0), "AA==");
  EXPECT_EQ(DecimalBase64("-0.00", 2), "AA==");
  EXPECT_EQ(DecimalBase64("0.000", 0), "AA==");
}

TEST(DecimalBytes, LargeValuesNeedNoDouble) {
  EXPECT_EQ(DecimalBase64("18446744073709551616", 0), "AQAAAAAAAAAA");  // 2^64
  EXPECT_EQ(DecimalBase64("18446744073709551615", 0), "AP//////////");
  EXPECT_EQ(DecimalBase64("1234567890123456789012345678901234.5678", 4),
            "CUmw9vACMxPESZBQ3jjzTg==");
  EXPECT_EQ(DecimalBase64("-1234567890123456789012345678901234.5678", 4),
            "9rZPCQ/9zOw7tm+vIccMsg==");
  EXPECT_EQ(DecimalBase64("9999999999999999999999999999999999999999", 0),
            "HWMp8cNcpL+rufVg//////8=");
  EXPECT_EQ(DecimalBase64("-98765432109876543210", 0), "+qVassca2YEW");
}

TEST(DecimalBytes, RescalesByAppendingOrDroppingZeros) {
  EXPECT_EQ(DecimalBase64("1.5", 3), "Bdw=");            // 1500
  EXPECT_EQ(DecimalBase64("1.500", 1), "Dw==");          // 15
  EXPECT_EQ(DecimalBase64("123456789", 2), "At/cHDQ=");  // 12345678900
  auto d = ParseDecimal("1.55");
  ASSERT_TRUE(d);
  EXPECT_FALSE(UnscaledBytes(*d, 1)) << "dropping a non-zero digit must fail";
}

TEST(DecimalBytes, VariableScaleKeepsTheTextScale) {
  auto d = ParseDecimal("-129.5");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->scale, 1);
  EXPECT_EQ(Base64(TwosComplement(d->negative, d->digits)), "+vE=");  // -1295 = 0xFAF1
}

TEST(ParseDecimal, RejectsMalformedText) {
  for (const char* bad : {"", "-", "+", ".", "1.2.3", "1e5", "abc", " 1", "1 ", "--1", "nan"}) {
    EXPECT_FALSE(ParseDecimal(bad)) << bad;
  }
}

TEST(ParseDecimal, RecognisesSpecialValues) {
  EXPECT_EQ(ParseDecimal("NaN")->kind, ParsedDecimal::Kind::kNaN);
  EXPECT_EQ(ParseDecimal("Infinity")->kind, ParsedDecimal::Kind::kPositiveInfinity);
  EXPECT_EQ(ParseDecimal("-Infinity")->kind, ParsedDecimal::Kind::kNegativeInfinity);
  EXPECT_FALSE(UnscaledBytes(*ParseDecimal("NaN"), 2));
}

TEST(PlainString, MatchesBigDecimalToPlainString) {
  EXPECT_EQ(PlainString(*ParseDecimal("+012.50")), "12.50");
  EXPECT_EQ(PlainString(*ParseDecimal(".5")), "0.5");
  EXPECT_EQ(PlainString(*ParseDecimal("-0.00")), "0.00");
  EXPECT_EQ(PlainString(*ParseDecimal("000")), "0");
  EXPECT_EQ(PlainString(*ParseDecimal("-5.")), "-5");
  EXPECT_EQ(PlainString(*ParseDecimal("-0.05")), "-0.05");
  EXPECT_EQ(PlainString(*ParseDecimal("NaN")), "NaN");
}

TEST(Base64, StandardAlphabetWithPadding) {
  EXPECT_EQ(Base64(""), "");
  EXPECT_EQ(Base64("f"), "Zg==");
  EXPECT_EQ(Base64("fo"), "Zm8=");
  EXPECT_EQ(Base64("foo"), "Zm9v");
  EXPECT_EQ(Base64("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64(std::string("\x00\x01\xff", 3)), "AAH/");
  EXPECT_EQ(Base64("\xfb\xff"), "+/8=");
}

TEST(Calendar, IsoDates) {
  EXPECT_EQ(IsoDate(0).view(), "1970-01-01");
  EXPECT_EQ(IsoDate(-1).view(), "1969-12-31");
  EXPECT_EQ(IsoDate(19000).view(), "2022-01-08");
  EXPECT_EQ(IsoDate(11016).view(), "2000-02-29");
  EXPECT_EQ(IsoDate(-719528).view(), "0000-01-01");
  EXPECT_EQ(IsoDate(-719529).view(), "-0001-12-31");  // Java's ISO_LOCAL_DATE
  EXPECT_EQ(IsoDate(2932896).view(), "9999-12-31");
  EXPECT_EQ(IsoDate(2932897).view(), "+10000-01-01");
}

TEST(Calendar, ClockTimes) {
  EXPECT_EQ(ClockTime(45'296'789'012, kStripZeros).view(), "12:34:56.789012");
  EXPECT_EQ(ClockTime(45'296'789'000, kStripZeros).view(), "12:34:56.789");
  EXPECT_EQ(ClockTime(45'296'500'000, kStripZeros).view(), "12:34:56.5");
  EXPECT_EQ(ClockTime(0, kStripZeros).view(), "00:00:00");
  EXPECT_EQ(ClockTime(45'296'789'012, 3).view(), "12:34:56.789");
  EXPECT_EQ(ClockTime(45'296'000'000, 6).view(), "12:34:56.000000");
  EXPECT_EQ(ClockTime(-3'020'399'000'000, kStripZeros).view(), "-838:59:59");  // MySQL TIME min
  EXPECT_EQ(ClockTime(90'000'000'000, kStripZeros).view(), "25:00:00");
}

TEST(Calendar, IsoTimestamps) {
  // Debezium's documented TIMESTAMP example: 2018-06-20 15:13:16.945104.
  EXPECT_EQ(IsoTimestamp(1'529'507'596'945'104, kStripZeros).view(), "2018-06-20T15:13:16.945104");
  EXPECT_EQ(IsoTimestamp(1'529'507'596'945'104, 3).view(), "2018-06-20T15:13:16.945");
  EXPECT_EQ(IsoTimestamp(1'529'507'596'000'000, kStripZeros).view(), "2018-06-20T15:13:16");
  EXPECT_EQ(IsoTimestamp(-1, kStripZeros).view(), "1969-12-31T23:59:59.999999");
  EXPECT_EQ(IsoTimestamp(0, 6).view(), "1970-01-01T00:00:00.000000");
}

TEST(Intervals, MicroDurationUsesAverageMonth) {
  EXPECT_EQ(IntervalMicros({1, 0, 0}), 2'629'800'000'000);  // 30.4375 days
  EXPECT_EQ(IntervalMicros({0, 1, 0}), 86'400'000'000);
  EXPECT_EQ(IntervalMicros({14, 3, 14'706'500'000}), 37'091'106'500'000);
  EXPECT_EQ(IntervalMicros({-1, 0, 0}), -2'629'800'000'000);
  EXPECT_EQ(IntervalMicros({INT32_MAX, 0, 0}), INT64_MAX);  // saturates like Java's (long)
  EXPECT_EQ(IntervalMicros({INT32_MIN, 0, 0}), INT64_MIN);
}

TEST(Intervals, IsoText) {
  EXPECT_EQ(IsoInterval({14, 3, 14'706'500'000}).view(), "P1Y2M3DT4H5M6.5S");
  EXPECT_EQ(IsoInterval({0, 0, 0}).view(), "P0Y0M0DT0H0M0S");
  EXPECT_EQ(IsoInterval({-14, -3, -14'706'500'000}).view(), "P-1Y-2M-3DT-4H-5M-6.5S");
  EXPECT_EQ(IsoInterval({0, 0, -500'000}).view(), "P0Y0M0DT0H0M-0.5S");
  EXPECT_EQ(IsoInterval({0, 0, 1}).view(), "P0Y0M0DT0H0M0.000001S");
}

std::string Written(void (*fn)(JsonWriter&)) {
  JsonWriter w(1);  // tiny, so that the buffer has to grow
  fn(w);
  return w.take();
}

TEST(JsonWriter, InsertsCommasAtEveryLevel) {
  std::string out = Written([](JsonWriter& w) {
    w.begin_object();
    w.key("a");
    w.begin_array();
    w.int64(1);
    w.begin_object();
    w.end_object();
    w.null();
    w.end_array();
    w.key("b");
    w.boolean(true);
    w.quoted_key("\"c\":");
    w.raw_value("{\"x\":1}");
    w.end_object();
  });
  EXPECT_EQ(out, R"({"a":[1,{},null],"b":true,"c":{"x":1}})");
}

TEST(JsonWriter, EscapesStrings) {
  std::string out = JsonString(std::string("a\"b\\c/\n\t\x01\x7f", 10));
  EXPECT_EQ(out, "\"a\\\"b\\\\c/\\n\\t\\u0001\x7f\"");
}

TEST(JsonWriter, KeepsValidUtf8AndReplacesInvalid) {
  std::string out = JsonString("caf\xc3\xa9 \xf0\x9f\x98\x80");  // é and an emoji
  EXPECT_EQ(out, "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"");
  // A stray byte, an overlong '/', a UTF-16 surrogate, a truncated sequence.
  out = JsonString(
      "a\xff"
      "b\xc0\xaf"
      "c\xed\xa0\x80"
      "d\xe2\x82");
  EXPECT_EQ(out,
            "\"a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD\xEF\xBF\xBD"
            "c\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
            "d\xEF\xBF\xBD\xEF\xBF\xBD\"");
}

TEST(JsonWriter, NumbersRoundTripAndNonNumbersAreStrings) {
  auto f64 = [](double v) {
    JsonWriter w;
    w.float64(v);
    return w.take();
  };
  EXPECT_EQ(f64(1.0), "1.0");
  EXPECT_EQ(f64(0.1), "0.1");
  EXPECT_EQ(f64(-2.5), "-2.5");
  EXPECT_EQ(f64(1e300), "1e+300");
  EXPECT_EQ(f64(NAN), "\"NaN\"");
  EXPECT_EQ(f64(INFINITY), "\"Infinity\"");
  EXPECT_EQ(f64(-INFINITY), "\"-Infinity\"");
  JsonWriter w;
  w.float32(3.14f);
  EXPECT_EQ(w.take(), "3.14");  // the float's shortest form, not 3.140000104904175
  w.uint64(UINT64_MAX);
  EXPECT_EQ(w.take(), "18446744073709551615");
}

}  // namespace
}  // namespace cdc::format
