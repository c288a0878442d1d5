// ConfigNode: typed getters, positions in messages, used-key tracking,
// duplicate keys and ${VAR} expansion. Messages are compared exactly: they
// are the user interface of a config file.
#include "cdc/config_node.h"

#include <gtest/gtest.h>

#include <functional>

#include "cdc/error.h"
#include "tests/config/scoped_env.h"

namespace cdc {
namespace {

using std::chrono::milliseconds;
using testing::ScopedEnv;

ConfigNode Parse(const std::string& yaml) {
  return ConfigNode(YAML::Load(yaml), "t.yaml", "");
}

// The ConfigError message of `f`, or "no error".
std::string ErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

// --- getters ---------------------------------------------------------------

TEST(ConfigNodeTest, ReadsTypedValues) {
  ConfigNode n = Parse(
      "s: hello\n"
      "i: -42\n"
      "d: 2.5\n"
      "b: yes\n"
      "l: [a, b]\n"
      "one: lone\n"
      "m: {compression.type: zstd, linger.ms: 5}\n"
      "c: flat\n");
  EXPECT_EQ(n.get_string("s"), "hello");
  EXPECT_EQ(n.get_int("i"), -42);
  EXPECT_EQ(n.get_double("d", 0), 2.5);
  EXPECT_TRUE(n.get_bool("b", false));
  EXPECT_EQ(n.get_string_list("l"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(n.get_string_list("one"), (std::vector<std::string>{"lone"}));
  EXPECT_EQ(n.get_string_map("m"),
            (std::map<std::string, std::string>{{"compression.type", "zstd"}, {"linger.ms", "5"}}));
  EXPECT_EQ(n.get_choice("c", {"debezium", "flat"}, "debezium"), "flat");
  EXPECT_NO_THROW(n.reject_unknown_keys());
}

TEST(ConfigNodeTest, SecretsComeFromTheKeyOrAFile) {
  const std::string dir = ::testing::TempDir();
  const std::string file = dir + "/cdcd_secret_test";
  {
    std::FILE* f = std::fopen(file.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("pa ss\n", f);
    std::fclose(f);
  }
  EXPECT_EQ(Parse("password: inline").get_secret("password"), "inline");
  EXPECT_EQ(Parse("password_file: " + file).get_secret("password"), "pa ss");
  EXPECT_EQ(Parse("other: 1").get_secret("password", "none"), "none");
  EXPECT_EQ(ErrorOf([&] { Parse("password: a\npassword_file: " + file).get_secret("password"); }),
            "t.yaml:2: password_file: give password or password_file, not both");
  EXPECT_EQ(ErrorOf([] { Parse("password_file: /nonexistent/pw").get_secret("password"); }),
            "t.yaml:1: password_file: cannot read /nonexistent/pw: No such file or directory");
  std::remove(file.c_str());
}

TEST(ConfigNodeTest, DefaultsApplyToMissingAndNullKeys) {
  ConfigNode n = Parse("empty:\ntilde: ~\n");
  EXPECT_EQ(n.get_string("absent", "d"), "d");
  EXPECT_EQ(n.get_string("empty", "d"), "d");
  EXPECT_EQ(n.get_int("tilde", 7), 7);
  EXPECT_EQ(n.get_string_list("absent", {"x"}), (std::vector<std::string>{"x"}));
  EXPECT_EQ(n.get_choice("absent", {"a"}, "z"), "z");
  EXPECT_FALSE(n.has("empty"));
  EXPECT_FALSE(n.optional_child("tilde").has_value());
  EXPECT_NO_THROW(n.reject_unknown_keys());  // both were asked for
}

TEST(ConfigNodeTest, BooleansAsInYaml11) {
  for (const char* t : {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y"}) {
    EXPECT_TRUE(Parse(std::string("b: ") + t).get_bool("b", false)) << t;
  }
  for (const char* f : {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n"}) {
    EXPECT_FALSE(Parse(std::string("b: ") + f).get_bool("b", true)) << f;
  }
  EXPECT_EQ(ErrorOf([] { Parse("a: 1\nb: maybe\n").get_bool("b", true); }),
            "t.yaml:2: b: expected a boolean (true/false, yes/no, on/off), got \"maybe\"");
}

TEST(ConfigNodeTest, SizesUseSiAndBinaryUnits) {
  auto size = [](const std::string& text) { return Parse("s: " + text).get_size("s", 0); };
  EXPECT_EQ(size("1024"), 1024u);
  EXPECT_EQ(size("0"), 0u);
  EXPECT_EQ(size("7B"), 7u);
  EXPECT_EQ(size("10KB"), 10'000u);
  EXPECT_EQ(size("10MB"), 10'000'000u);
  EXPECT_EQ(size("2GB"), 2'000'000'000u);
  EXPECT_EQ(size("512KiB"), 512u * 1024);
  EXPECT_EQ(size("64MiB"), 64u << 20);
  EXPECT_EQ(size("1GiB"), 1u << 30);
  EXPECT_EQ(size("2TiB"), 2ull << 40);
  EXPECT_EQ(size("64mib"), 64u << 20);
  EXPECT_EQ(size("10 MB"), 10'000'000u);
  EXPECT_EQ(size("1.5KiB"), 1536u);
  EXPECT_EQ(Parse("a: 1").get_size("s", 99), 99u);
}

TEST(ConfigNodeTest, BadSizesSayWhatIsExpected) {
  auto error = [](const std::string& text) {
    return ErrorOf([&] { Parse("x: 1\ns: " + text).get_size("s", 0); });
  };
  EXPECT_EQ(error("lots"), "t.yaml:2: s: expected a size like 64MiB, 10MB or 4096, got \"lots\"");
  EXPECT_EQ(error("-1"), "t.yaml:2: s: expected a size like 64MiB, 10MB or 4096, got \"-1\"");
  EXPECT_EQ(error("1.2.3"), "t.yaml:2: s: expected a size like 64MiB, 10MB or 4096, got \"1.2.3\"");
  EXPECT_EQ(error("64M"),
            "t.yaml:2: s: unknown unit 'M' in \"64M\" (use B, KB, MB, GB, TB (powers of 1000) or "
            "KiB, MiB, GiB, TiB (powers of 1024))");
  EXPECT_EQ(error("1.5B"), "t.yaml:2: s: \"1.5B\" is not a whole number of bytes");
  EXPECT_EQ(error("99999999999TiB"), "t.yaml:2: s: \"99999999999TiB\" is too large");
  EXPECT_EQ(error("[1]"), "t.yaml:2: s: expected a size like 64MiB, 10MB or 4096, got a list");
}

TEST(ConfigNodeTest, DurationsDefaultToMilliseconds) {
  auto dur = [](const std::string& text) {
    return Parse("d: " + text).get_duration("d", milliseconds(0));
  };
  EXPECT_EQ(dur("250ms"), milliseconds(250));
  EXPECT_EQ(dur("5s"), milliseconds(5000));
  EXPECT_EQ(dur("2m"), milliseconds(120'000));
  EXPECT_EQ(dur("1h"), milliseconds(3'600'000));
  EXPECT_EQ(dur("1500"), milliseconds(1500));
  EXPECT_EQ(dur("1.5s"), milliseconds(1500));
  EXPECT_EQ(Parse("a: 1").get_duration("d", milliseconds(9)), milliseconds(9));
}

TEST(ConfigNodeTest, BadDurationsSayWhatIsExpected) {
  auto error = [](const std::string& text) {
    return ErrorOf([&] { Parse("x: 1\nd: " + text).get_duration("d", milliseconds(0)); });
  };
  EXPECT_EQ(error("soon"),
            "t.yaml:2: d: expected a duration like 250ms, 5s, 2m or 1h, got \"soon\"");
  EXPECT_EQ(error("5d"), "t.yaml:2: d: unknown unit 'd' in \"5d\" (use ms, s, m, h)");
  EXPECT_EQ(error("0.5ms"), "t.yaml:2: d: \"0.5ms\" is not a whole number of milliseconds");
}

TEST(ConfigNodeTest, WrongTypePointsAtTheValue) {
  ConfigNode n = Parse("a: 1\nport: abc\nratio: x\nbig: 99999999999999999999\nf: 1.5\nm: {a: 1}\n");
  EXPECT_EQ(ErrorOf([&] { n.get_int("port"); }),
            "t.yaml:2: port: expected an integer, got \"abc\"");
  EXPECT_EQ(ErrorOf([&] { n.get_double("ratio", 0); }),
            "t.yaml:3: ratio: expected a number, got \"x\"");
  EXPECT_EQ(ErrorOf([&] { n.get_int("big", 0); }),
            "t.yaml:4: big: integer out of range: \"99999999999999999999\"");
  EXPECT_EQ(ErrorOf([&] { n.get_int("f", 0); }), "t.yaml:5: f: expected an integer, got \"1.5\"");
  EXPECT_EQ(ErrorOf([&] { n.get_string("m"); }), "t.yaml:6: m: expected a string, got a mapping");
  EXPECT_EQ(ErrorOf([&] { n.get_string_list("m"); }),
            "t.yaml:6: m: expected a list of strings, got a mapping");
  EXPECT_EQ(ErrorOf([&] { n.get_string_map("a"); }),
            "t.yaml:1: a: expected a mapping of names to values, got \"1\"");
}

TEST(ConfigNodeTest, BadChoiceListsTheAllowedValues) {
  ConfigNode n = Parse("format:\n  envelope: json\n");
  EXPECT_EQ(ErrorOf([&] {
              n.child("format").get_choice("envelope", {"debezium", "flat"}, "");
            }),
            "t.yaml:2: format.envelope: expected one of debezium, flat; got \"json\"");
}

// --- positions and paths ----------------------------------------------------

TEST(ConfigNodeTest, MissingKeyPointsAtTheParentMapping) {
  ConfigNode n = Parse("pipelines:\n  - name: a\n    sink:\n      type: file\n");
  ConfigNode sink = n.child("pipelines").items()[0].child("sink");
  EXPECT_EQ(sink.path(), "pipelines[0].sink");
  EXPECT_EQ(sink.where(), "t.yaml:4");
  EXPECT_EQ(ErrorOf([&] { sink.get_string("path"); }),
            "t.yaml:4: pipelines[0].sink: missing required key 'path'");
}

TEST(ConfigNodeTest, KeyWithoutValuePointsAtTheKey) {
  ConfigNode n = Parse("a: 1\npath:\nb: 2\n");
  EXPECT_EQ(ErrorOf([&] { n.get_string("path"); }), "t.yaml:2: path: missing value");
}

TEST(ConfigNodeTest, LookupInAScalarSaysSo) {
  ConfigNode n = Parse("source: postgres\n");
  EXPECT_EQ(ErrorOf([&] { n.child("source").get_string("type"); }),
            "t.yaml:1: source: expected a mapping with key 'type', got \"postgres\"");
}

TEST(ConfigNodeTest, EntriesAndItemsCarryPaths) {
  ConfigNode n = Parse("m:\n  x: [1, 2]\n  y: 3\n");
  auto entries = n.child("m").entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].first, "x");
  EXPECT_EQ(entries[0].second.path(), "m.x");
  auto items = entries[0].second.items();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[1].path(), "m.x[1]");
  EXPECT_EQ(items[1].scalar(), "2");
  EXPECT_EQ(ErrorOf([&] { entries[1].second.items(); }),
            "t.yaml:3: m.y: expected a list, got \"3\"");
  EXPECT_EQ(ErrorOf([&] { n.child("m").scalar(); }),
            "t.yaml:2: m: expected a single value, got a mapping");
}

TEST(ConfigNodeTest, FailAtTheDocumentRootHasNoPath) {
  ConfigNode n = Parse("a: 1\n");
  EXPECT_EQ(ErrorOf([&] { n.fail("boom"); }), "t.yaml:1: boom");
}

// --- unknown and duplicate keys ---------------------------------------------

TEST(ConfigNodeTest, UnknownKeySuggestsTheNearestKnownOne) {
  ConfigNode n = Parse(
      "pipelines:\n"
      "  - sink:\n"
      "      type: file\n"
      "      path: /tmp/x\n"
      "      rotate_byte: 1MiB\n");
  ConfigNode sink = n.child("pipelines").items()[0].child("sink");
  sink.mark_used("type");
  sink.get_string("path");
  sink.get_size("rotate_bytes", 0);
  EXPECT_EQ(ErrorOf([&] { sink.reject_unknown_keys(); }),
            "t.yaml:5: pipelines[0].sink: unknown key 'rotate_byte', did you mean 'rotate_bytes'? "
            "(known here: path, rotate_bytes, type)");
}

TEST(ConfigNodeTest, UnknownKeyWithoutANearMiss) {
  ConfigNode n = Parse("name: a\ncolour: red\n");
  n.get_string("name");
  EXPECT_EQ(ErrorOf([&] { n.reject_unknown_keys(); }),
            "t.yaml:2: unknown key 'colour' (known here: name)");
  ConfigNode fresh = Parse("x: 1\n");
  EXPECT_EQ(ErrorOf([&] { fresh.reject_unknown_keys(); }), "t.yaml:1: unknown key 'x'");
}

TEST(ConfigNodeTest, CopiesAndRepeatedChildrenShareUsedKeys) {
  ConfigNode root = Parse("sink:\n  path: /x\n  fsync: no\n");
  ConfigNode copy = root;
  root.child("sink").get_string("path");
  copy.child("sink").get_bool("fsync", true);
  EXPECT_NO_THROW(root.child("sink").reject_unknown_keys());
  EXPECT_NO_THROW(copy.reject_unknown_keys());
}

TEST(ConfigNodeTest, UsedKeysAreTrackedPerNode) {
  ConfigNode root = Parse("pipelines:\n  - path: a\n  - path: b\n    extra: 1\n");
  auto items = root.child("pipelines").items();
  items[0].get_string("path");
  items[1].get_string("path");
  EXPECT_NO_THROW(items[0].reject_unknown_keys());
  EXPECT_EQ(ErrorOf([&] { items[1].reject_unknown_keys(); }),
            "t.yaml:4: pipelines[1]: unknown key 'extra' (known here: path)");
}

TEST(ConfigNodeTest, DuplicateKeysAreRejectedAtTheDuplicate) {
  EXPECT_EQ(ErrorOf([] { Parse("a: 1\nsink:\n  path: x\n  fsync: no\n  path: y\n"); }),
            "t.yaml:5: sink: duplicate key 'path' (first at line 3)");
  EXPECT_EQ(ErrorOf([] { Parse("l:\n  - {a: 1, a: 2}\n"); }),
            "t.yaml:2: l[0]: duplicate key 'a' (first at line 2)");
}

TEST(ConfigNodeTest, AliasesAreNotDuplicates) {
  ConfigNode n = Parse("base: &b {x: 1}\nother: *b\n");
  EXPECT_EQ(n.child("other").get_int("x"), 1);
}

// --- environment references -------------------------------------------------

TEST(ConfigNodeTest, ExpandsEnvironmentReferences) {
  ScopedEnv a("CDCD_TEST_A", "alpha");
  ScopedEnv empty("CDCD_TEST_EMPTY", "");
  ScopedEnv unset("CDCD_TEST_UNSET", std::nullopt);
  EXPECT_EQ(ExpandEnv("x-${CDCD_TEST_A}-y", "w"), "x-alpha-y");
  EXPECT_EQ(ExpandEnv("${CDCD_TEST_UNSET:-fallback}", "w"), "fallback");
  EXPECT_EQ(ExpandEnv("${CDCD_TEST_EMPTY:-fallback}", "w"), "fallback");
  EXPECT_EQ(ExpandEnv("${CDCD_TEST_EMPTY}", "w"), "");
  EXPECT_EQ(ExpandEnv("${CDCD_TEST_A:-fallback}", "w"), "alpha");
  EXPECT_EQ(ExpandEnv("${CDCD_TEST_UNSET:-}", "w"), "");
  EXPECT_EQ(ExpandEnv("pa$$word $x $", "w"), "pa$word $x $");
  EXPECT_EQ(ExpandEnv("$${CDCD_TEST_A}", "w"), "${CDCD_TEST_A}");
}

TEST(ConfigNodeTest, EnvironmentReferenceErrors) {
  ScopedEnv unset("CDCD_TEST_UNSET", std::nullopt);
  EXPECT_EQ(ErrorOf([] { ExpandEnv("${CDCD_TEST_UNSET}", "f:3: k"); }),
            "f:3: k: environment variable 'CDCD_TEST_UNSET' is not set");
  EXPECT_EQ(ErrorOf([] { ExpandEnv("a${B", "f:3: k"); }),
            "f:3: k: unterminated '${' in \"a${B\" (write '$$' for a literal '$')");
  EXPECT_EQ(ErrorOf([] { ExpandEnv("${1X}", "f:3: k"); }),
            "f:3: k: invalid environment variable name in '${1X}'");
  EXPECT_EQ(ErrorOf([] { ExpandEnv("${A:-${B}}", "f:3: k"); }),
            "f:3: k: nested '${' in \"${A:-${B}}\" is not supported");
}

TEST(ConfigNodeTest, ScalarsAreExpandedWhenRead) {
  ScopedEnv port("CDCD_TEST_PORT", "5433");
  ScopedEnv unset("CDCD_TEST_UNSET", std::nullopt);
  ConfigNode n = Parse(
      "port: ${CDCD_TEST_PORT}\n"
      "host: ${CDCD_TEST_UNSET:-localhost}\n"
      "password: ${CDCD_TEST_UNSET}\n"
      "tables: [\"${CDCD_TEST_UNSET:-public}.orders\"]\n");
  EXPECT_EQ(n.get_int("port"), 5433);
  EXPECT_EQ(n.get_string("host"), "localhost");
  EXPECT_EQ(n.get_string_list("tables"), (std::vector<std::string>{"public.orders"}));
  EXPECT_EQ(ErrorOf([&] { n.get_string("password"); }),
            "t.yaml:3: password: environment variable 'CDCD_TEST_UNSET' is not set");
}

}  // namespace
}  // namespace cdc

namespace cdc {
namespace {

// What a reload compares: the content, not its layout.
TEST(ConfigNodeTest, CanonicalIsTheContentWhateverTheLayout) {
  const std::string block = Parse("a: 1\nb:\n  - x\n  - 'y'\nc: {d: \"q\\\"\"}\n").canonical();
  EXPECT_EQ(block, R"({"a":"1","b":["x","y",],"c":{"d":"q\"",},})");
  EXPECT_EQ(Parse("a: 1   # a comment\nb: [x, y]\nc:\n  d: 'q\"'\n").canonical(), block);
  EXPECT_NE(Parse("a: 2\nb: [x, y]\nc: {d: 'q\"'}\n").canonical(), block);
  EXPECT_NE(Parse("a: 1\nb: [y, x]\nc: {d: 'q\"'}\n").canonical(), block);
  // A scalar that holds the text of a list is not the list.
  EXPECT_NE(Parse("b: '[x, y]'").canonical(), Parse("b: [x, y]").canonical());
  EXPECT_EQ(Parse("a:").canonical(), "{\"a\":~,}");
}

TEST(ConfigNodeTest, CanonicalSeesThroughVariables) {
  ScopedEnv env("CDCD_TEST_CANON", "one");
  const std::string first = Parse("dsn: ${CDCD_TEST_CANON}").canonical();
  EXPECT_EQ(first, Parse("dsn: one").canonical());
  ScopedEnv changed("CDCD_TEST_CANON", "two");
  EXPECT_NE(Parse("dsn: ${CDCD_TEST_CANON}").canonical(), first);
  // Unset: an error only where the value is read, not here.
  ScopedEnv unset("CDCD_TEST_CANON", std::nullopt);
  EXPECT_NO_THROW(Parse("dsn: ${CDCD_TEST_CANON}").canonical());
  EXPECT_NE(Parse("dsn: ${CDCD_TEST_CANON}").canonical(), first);
}

}  // namespace
}  // namespace cdc
