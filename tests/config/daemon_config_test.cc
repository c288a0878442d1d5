// The pipelines-file loader: defaults, validation of everything the core
// owns, exact error messages, and hand-off of source/sink blocks.
#include "config/daemon_config.h"

#include <gtest/gtest.h>

#include <functional>

#include "cdc/error.h"
#include "tests/config/scoped_env.h"
#include "tests/support/test_support.h"

namespace cdc {
namespace {

using std::chrono::milliseconds;
using testing::ScopedEnv;

constexpr char kMinimal[] =
    "pipelines:\n"
    "  - name: demo\n"
    "    source:\n"
    "      type: generator\n"
    "    sink:\n"
    "      type: file\n"
    "      path: /tmp/demo\n";

// Every test runs without a CDCD_LOG_LEVEL from the outside.
class LoadConfigTest : public ::testing::Test {
 protected:
  ScopedEnv no_level_{"CDCD_LOG_LEVEL", std::nullopt};
};

DaemonConfig Load(const std::string& yaml) {
  return LoadConfigString(yaml, "p.yaml");
}

std::string ErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

std::string LoadError(const std::string& yaml) {
  return ErrorOf([&] { Load(yaml); });
}

// kMinimal with `extra` appended to the pipeline (indented 4).
std::string WithPipelineKeys(const std::string& extra) {
  return kMinimal + extra;
}

// --- what loads ---------------------------------------------------------------

TEST_F(LoadConfigTest, MinimalFileGetsDefaults) {
  DaemonConfig c = Load(kMinimal);
  EXPECT_EQ(c.file, "p.yaml");
  EXPECT_TRUE(c.http.enabled);
  EXPECT_EQ(c.http.listen, "127.0.0.1:8083");
  EXPECT_EQ(c.log.level, "info");
  EXPECT_EQ(c.log.format, "text");
  ASSERT_EQ(c.pipelines.size(), 1u);
  const PipelineConfig& p = c.pipelines[0];
  EXPECT_EQ(p.name, "demo");
  EXPECT_EQ(p.format.envelope, FormatOptions::Envelope::kDebezium);
  EXPECT_TRUE(p.format.schemas);
  EXPECT_TRUE(p.format.tombstones);
  EXPECT_EQ(p.batch.max_events, 10000u);
  EXPECT_EQ(p.batch.max_bytes, 4u << 20);
  EXPECT_EQ(p.batch.linger, milliseconds(100));
  EXPECT_TRUE(p.batch.commit_when_idle);
  EXPECT_EQ(p.batch.min_commit_interval, milliseconds(5));
  EXPECT_EQ(p.batch.queue_bytes, 16u << 20);
  EXPECT_EQ(p.retry.initial_backoff, milliseconds(500));
  EXPECT_EQ(p.retry.max_backoff, milliseconds(30000));
}

TEST_F(LoadConfigTest, ReadsEveryCoreSetting) {
  DaemonConfig c = Load(
      "http: {enabled: off, listen: \"0.0.0.0:0\"}\n"
      "log: {level: debug, format: json}\n"
      "pipelines:\n"
      "  - name: a.b-c_1\n"
      "    source: {type: generator}\n"
      "    sink: {type: file, path: /x}\n"
      "    format:\n"
      "      envelope: flat\n"
      "      schemas: false\n"
      "      tombstones: no\n"
      "      decimal_handling: double\n"
      "      time_precision: isostring\n"
      "      unchanged_toast: omit\n"
      "      bigint_unsigned: precise\n"
      "      toast_placeholder: \"?\"\n"
      "    batch: {max_events: 5, max_bytes: 1MB, linger: 0, queue_bytes: 2MiB, commit_when_idle: "
      "false, min_commit_interval: 0}\n"
      "    retry: {initial_backoff: 1s, max_backoff: 2m}\n"
      "  - name: second\n"
      "    source: {type: generator}\n"
      "    sink: {type: file}\n");
  EXPECT_FALSE(c.http.enabled);
  EXPECT_EQ(c.http.listen, "0.0.0.0:0");
  EXPECT_EQ(c.log.level, "debug");
  EXPECT_EQ(c.log.format, "json");
  ASSERT_EQ(c.pipelines.size(), 2u);
  const PipelineConfig& p = c.pipelines[0];
  EXPECT_EQ(p.name, "a.b-c_1");
  EXPECT_EQ(p.format.envelope, FormatOptions::Envelope::kFlat);
  EXPECT_FALSE(p.format.schemas);
  EXPECT_FALSE(p.format.tombstones);
  EXPECT_EQ(p.format.decimal_handling, FormatOptions::DecimalHandling::kDouble);
  EXPECT_EQ(p.format.time_precision, FormatOptions::TimePrecision::kIsoString);
  EXPECT_EQ(p.format.unchanged, FormatOptions::Unchanged::kOmit);
  EXPECT_EQ(p.format.bigint_unsigned, FormatOptions::BigIntUnsigned::kPrecise);
  EXPECT_EQ(c.pipelines[1].format.bigint_unsigned, FormatOptions::BigIntUnsigned::kLong);
  EXPECT_EQ(p.format.toast_placeholder, "?");
  EXPECT_EQ(c.pipelines[1].format.unchanged, FormatOptions::Unchanged::kPlaceholder);
  EXPECT_EQ(c.pipelines[1].format.toast_placeholder, "__debezium_unavailable_value");
  EXPECT_EQ(p.batch.max_events, 5u);
  EXPECT_EQ(p.batch.max_bytes, 1'000'000u);
  EXPECT_EQ(p.batch.linger, milliseconds(0));
  EXPECT_FALSE(p.batch.commit_when_idle);
  EXPECT_EQ(p.batch.min_commit_interval, milliseconds(0));
  EXPECT_EQ(p.batch.queue_bytes, 2u << 20);
  EXPECT_EQ(p.retry.initial_backoff, milliseconds(1000));
  EXPECT_EQ(p.retry.max_backoff, milliseconds(120'000));
  EXPECT_EQ(c.pipelines[1].name, "second");
}

TEST_F(LoadConfigTest, SourceAndSinkKeysAreLeftToTheirFactories) {
  DaemonConfig loaded = Load(
      "pipelines:\n"
      "  - name: demo\n"
      "    source:\n"
      "      type: generator\n"
      "      anything: goes\n"
      "    sink:\n"
      "      type: file\n"
      "      path: /tmp/demo\n"
      "      rotate_byte: 1MiB\n");
  DaemonConfig copy = loaded;              // the nodes survive copies ...
  DaemonConfig moved = std::move(loaded);  // ... and moves
  const ConfigNode& sink = moved.pipelines[0].sink;
  EXPECT_EQ(sink.path(), "pipelines[0].sink");
  EXPECT_EQ(sink.get_string("type"), "file");
  EXPECT_EQ(sink.get_string("path"), "/tmp/demo");
  sink.get_size("rotate_bytes", 0);
  EXPECT_EQ(ErrorOf([&] { copy.pipelines[0].sink.reject_unknown_keys(); }),
            "p.yaml:9: pipelines[0].sink: unknown key 'rotate_byte', did you mean "
            "'rotate_bytes'? (known here: path, rotate_bytes, transaction_metadata, type)");
  EXPECT_EQ(copy.pipelines[0].source.get_string("anything"), "goes");
}

TEST_F(LoadConfigTest, SourceAndSinkValuesAreExpandedOnlyWhenRead) {
  ScopedEnv unset("CDCD_TEST_UNSET", std::nullopt);
  DaemonConfig c = Load(WithPipelineKeys("") + "      password: ${CDCD_TEST_UNSET}\n");
  EXPECT_EQ(ErrorOf([&] { c.pipelines[0].sink.get_string("password"); }),
            "p.yaml:8: pipelines[0].sink.password: environment variable 'CDCD_TEST_UNSET' is not "
            "set");
}

TEST_F(LoadConfigTest, EnvironmentInCoreSettings) {
  ScopedEnv name("CDCD_TEST_NAME", "from-env");
  ScopedEnv unset("CDCD_TEST_UNSET", std::nullopt);
  DaemonConfig c = Load(
      "pipelines:\n"
      "  - name: ${CDCD_TEST_NAME}\n"
      "    source: {type: generator}\n"
      "    sink: {type: file}\n"
      "    batch: {linger: \"${CDCD_TEST_UNSET:-250}ms\"}\n");
  EXPECT_EQ(c.pipelines[0].name, "from-env");
  EXPECT_EQ(c.pipelines[0].batch.linger, milliseconds(250));
  EXPECT_EQ(LoadError("log:\n  level: ${CDCD_TEST_UNSET}\n" + std::string(kMinimal)),
            "p.yaml:2: log.level: environment variable 'CDCD_TEST_UNSET' is not set");
}

// --- syntax and structure -------------------------------------------------------

TEST_F(LoadConfigTest, YamlSyntaxErrorHasTheLine) {
  EXPECT_EQ(LoadError("pipelines:\n  - name: [demo\n    source: x\n"),
            "p.yaml:3: YAML syntax error: did not find expected ',' or ']' at column 11 (while "
            "parsing a flow sequence at line 2)");
  EXPECT_EQ(LoadError("a: 1\n  b: 2\n"),
            "p.yaml:2: YAML syntax error: mapping values are not allowed in this context at "
            "column 4");
}

TEST_F(LoadConfigTest, FileMustHoldOneMappingWithPipelines) {
  EXPECT_EQ(LoadError(""), "p.yaml:1: the file is empty; expected a 'pipelines' list");
  EXPECT_EQ(LoadError("# nothing\n"), "p.yaml:1: the file is empty; expected a 'pipelines' list");
  EXPECT_EQ(LoadError("- a\n"), "p.yaml:1: expected a mapping with a 'pipelines' list");
  EXPECT_EQ(LoadError("http: {}\n"), "p.yaml:1: missing required key 'pipelines'");
  EXPECT_EQ(LoadError("pipelines: []\n"), "p.yaml:1: pipelines: must list at least one pipeline");
  EXPECT_EQ(LoadError("pipelines: {a: 1}\n"),
            "p.yaml:1: pipelines: expected a list, got a mapping");
  EXPECT_EQ(LoadError(std::string(kMinimal) + "---\nx: 1\n"),
            "p.yaml:8: a second YAML document; put all pipelines in one 'pipelines' list");
}

TEST_F(LoadConfigTest, MissingRequiredKeyPointsAtTheParent) {
  EXPECT_EQ(LoadError("pipelines:\n  - name: demo\n    sink: {type: file}\n"),
            "p.yaml:2: pipelines[0]: missing required key 'source'");
  EXPECT_EQ(LoadError("pipelines:\n  - source: {type: generator}\n    sink: {type: file}\n"),
            "p.yaml:2: pipelines[0]: missing required key 'name'");
  EXPECT_EQ(LoadError("pipelines:\n  - name: demo\n    source:\n      rate: 5\n    sink: {}\n"),
            "p.yaml:4: pipelines[0].source: missing required key 'type'");
  EXPECT_EQ(LoadError("pipelines:\n  - name: demo\n    source:\n    sink: {type: file}\n"),
            "p.yaml:3: pipelines[0].source: missing value");
}

TEST_F(LoadConfigTest, WrongTypePointsAtTheValue) {
  EXPECT_EQ(LoadError("pipelines:\n  - name: demo\n    source: postgres\n    sink: {type: file}\n"),
            "p.yaml:3: pipelines[0].source: expected a mapping, got \"postgres\"");
  EXPECT_EQ(LoadError("pipelines:\n  - name: demo\n    source: [a]\n    sink: {type: file}\n"),
            "p.yaml:3: pipelines[0].source: expected a mapping with a 'type', got a list");
  EXPECT_EQ(
      LoadError("pipelines:\n  - name: demo\n    source: {type: [x]}\n    sink: {type: file}\n"),
      "p.yaml:3: pipelines[0].source.type: expected a string, got a list");
  EXPECT_EQ(LoadError("pipelines:\n  - just-a-name\n"),
            "p.yaml:2: pipelines[0]: expected a mapping, got \"just-a-name\"");
  EXPECT_EQ(LoadError(WithPipelineKeys("    batch:\n      max_events: lots\n")),
            "p.yaml:9: pipelines[0].batch.max_events: expected an integer, got \"lots\"");
  EXPECT_EQ(LoadError(WithPipelineKeys("    format:\n      schemas: maybe\n")),
            "p.yaml:9: pipelines[0].format.schemas: expected a boolean (true/false, yes/no, "
            "on/off), got \"maybe\"");
  EXPECT_EQ(LoadError(WithPipelineKeys("    format: flat\n")),
            "p.yaml:8: pipelines[0].format: expected a mapping, got \"flat\"");
}

TEST_F(LoadConfigTest, StandbyIsAPipelineSwitch) {
  EXPECT_FALSE(Load(WithPipelineKeys("")).pipelines[0].retry.standby);
  EXPECT_TRUE(Load(WithPipelineKeys("    standby: true\n")).pipelines[0].retry.standby);
  EXPECT_NE(LoadError(WithPipelineKeys("    standby: sometimes\n")).find("p.yaml:8"),
            std::string::npos);
}

TEST_F(LoadConfigTest, UnknownKeysEverywhereTheLoaderOwns) {
  EXPECT_EQ(LoadError("pipeline:\n  - name: demo\n"),
            "p.yaml:1: unknown key 'pipeline', did you mean 'pipelines'? (known here: http, log, "
            "pipelines)");
  EXPECT_EQ(LoadError(WithPipelineKeys("    fromat: {}\n")),
            "p.yaml:8: pipelines[0]: unknown key 'fromat', did you mean 'format'? (known here: "
            "batch, format, name, retry, sink, source, standby)");
  EXPECT_EQ(LoadError(WithPipelineKeys("    batch:\n      max_event: 5\n")),
            "p.yaml:9: pipelines[0].batch: unknown key 'max_event', did you mean 'max_events'? "
            "(known here: commit_when_idle, linger, max_bytes, max_events, min_commit_interval, "
            "queue_bytes)");
  EXPECT_EQ(LoadError("http:\n  port: 80\n" + std::string(kMinimal)),
            "p.yaml:2: http: unknown key 'port' (known here: enabled, listen, token, token_file)");
}

// Found by tests/fuzz/config_fuzz: yaml-cpp 0.7 works for minutes and
// allocates gigabytes on a ',' where a node starts or after a document's
// root node; libyaml refuses each at once (config/yaml_syntax.h), naming
// where, before yaml-cpp sees it.
TEST_F(LoadConfigTest, RunawayInputsForYamlCppAreRefusedBeforeParsing) {
  const std::string hint = "; a ',' separates items only inside [...] or {...}";
  EXPECT_EQ(LoadError(",:"),
            "p.yaml:1: YAML syntax error: did not find expected node content at column 1 (while "
            "parsing a block node at line 1)" +
                hint);
  EXPECT_EQ(LoadError("pipelines:\n  - a\n  , b\n"),
            "p.yaml:3: YAML syntax error: did not find expected '-' indicator at column 3 (while "
            "parsing a block collection at line 2)" +
                hint);
  EXPECT_EQ(LoadError("# topics: demo.<table>\npipelines:\n ,  x: 1\n"),
            "p.yaml:3: YAML syntax error: did not find expected node content at column 2 (while "
            "parsing a block node at line 3)" +
                hint);
  // A quoted scalar or flow collection as a document's root, then ','
  // (tests/fuzz/corpus/config/regression-root-then-comma), in any document.
  EXPECT_EQ(
      LoadError("\"a\","),
      "p.yaml:1: YAML syntax error: did not find expected <document start> at column 4" + hint);
  for (const char* runaway :
       {"!,", "pipelines:\n  - &a !t ,x\n", "'a''b',", "[a],", "{a: 1} ,", "&x\n\"a\",",
        "# c\n%YAML 1.1\n--- \"a\",", "a: 1\n...\n\"b\",", "- a\n\"b\",", "\"a\n b\","}) {
    EXPECT_NE(LoadError(runaway).find("p.yaml:"), std::string::npos) << runaway;
    EXPECT_NE(LoadError(runaway).find(": YAML syntax error: "), std::string::npos) << runaway;
  }
  const std::string found = cdc::testing::ReadFile(
      std::string(CDCD_SOURCE_DIR) + "/tests/fuzz/corpus/config/regression-root-then-comma");
  EXPECT_EQ(LoadError(found),
            "p.yaml:2: YAML syntax error: not UTF-8: invalid leading UTF-8 octet at column 53 "
            "(save the file as UTF-8)");
  EXPECT_EQ(LoadError(found.substr(0, found.find("e e"))),
            "p.yaml:2: YAML syntax error: did not find expected <document start> at column 7");
  // Inside a flow list, or a block scalar, a ',' may start a line.
  EXPECT_EQ(LoadError("pipelines: [a\n  , b]\n"),
            "p.yaml:1: pipelines[0]: expected a mapping, got \"a\"");
  EXPECT_EQ(LoadError("x: |\n  ,text\npipelines: []\n").find("YAML"), std::string::npos);
}

// The same config as JSON (a flow mapping), with a byte order mark, or
// after a %YAML directive and '---', loads as in block style.
TEST_F(LoadConfigTest, EveryWellFormedSpellingOfAConfigLoads) {
  for (const std::string& text :
       {std::string("{\"pipelines\": [{\"name\": \"demo\", \"source\": {\"type\": "
                    "\"generator\"},\n  \"sink\": {\"type\": \"file\", \"path\": "
                    "\"/tmp/demo\"}}]}\n"),
        "\xEF\xBB\xBF" + std::string(kMinimal),
        "%YAML 1.1\n---\n" + std::string(kMinimal) + "...\n"}) {
    const DaemonConfig c = LoadConfigString(text, "p.yaml");
    ASSERT_EQ(c.pipelines.size(), 1u) << text;
    EXPECT_EQ(c.pipelines[0].name, "demo");
  }
}

// A config saved in another encoding is refused where its first byte that
// is not UTF-8 sits.
TEST_F(LoadConfigTest, NonUtf8IsRefusedWithItsPlace) {
  EXPECT_EQ(LoadError("# caf\xE9\npipelines: []\n"),
            "p.yaml:1: YAML syntax error: not UTF-8: invalid trailing UTF-8 octet at column 6 "
            "(save the file as UTF-8)");
  EXPECT_EQ(LoadError("pipelines: []\nx: \"\xE2\x82\"\n"),
            "p.yaml:2: YAML syntax error: not UTF-8: invalid trailing UTF-8 octet at column 5 "
            "(save the file as UTF-8)");
}

// Found by tests/fuzz/config_fuzz: a NUL then ',' kept yaml-cpp 0.7 busy
// for minutes. Control characters are refused before parsing.
TEST_F(LoadConfigTest, ControlCharactersAreRefusedBeforeParsing) {
  EXPECT_EQ(LoadError(std::string("\0,ype\x04", 6)),
            "p.yaml:1: YAML syntax error: control character 0x00 at column 1 (only tabs and "
            "line breaks may appear in a config)");
  EXPECT_EQ(LoadError("pipelines:\n  - name: a\x1b[0m\n"),
            "p.yaml:2: YAML syntax error: control character 0x1B at column 12 (only tabs and "
            "line breaks may appear in a config)");
  // A blank CRLF line read past the end of the line (UBSan, config fuzzer).
  EXPECT_EQ(LoadError("pipelines: []\r\n\r\nlog: {level: info}\r\n").find("YAML"),
            std::string::npos);
  // Tabs inside values and CRLF line ends are not control characters here.
  EXPECT_EQ(LoadError("pipelines: []\r\nlog: {level: \"info\"}\t\r\n").find("control"),
            std::string::npos);
}

TEST_F(LoadConfigTest, DuplicateKeyIsAnError) {
  EXPECT_EQ(LoadError("pipelines:\n  - name: a\n    name: b\n"),
            "p.yaml:3: pipelines[0]: duplicate key 'name' (first at line 2)");
}

TEST_F(LoadConfigTest, PipelineNamesAreCheckedAndUnique) {
  const std::string one = "    source: {type: generator}\n    sink: {type: file}\n";
  EXPECT_EQ(LoadError("pipelines:\n  - name: shop\n" + one + "  - name: shop\n" + one),
            "p.yaml:5: pipelines[1].name: duplicate pipeline name 'shop' (first at line 2)");
  EXPECT_EQ(LoadError("pipelines:\n  - name: my shop\n" + one),
            "p.yaml:2: pipelines[0].name: invalid pipeline name \"my shop\" (use letters, digits, "
            "'_', '.' and '-')");
  EXPECT_EQ(LoadError("pipelines:\n  - name: \"\"\n" + one),
            "p.yaml:2: pipelines[0].name: invalid pipeline name \"\" (use letters, digits, '_', "
            "'.' and '-')");
}

TEST_F(LoadConfigTest, TwoFileSinksInOneDirectoryAreAnError) {
  auto pipeline = [](const std::string& name, const std::string& path) {
    return "  - name: " + name + "\n    source: {type: generator}\n    sink:\n      type: file\n" +
           "      path: " + path + "\n";
  };
  EXPECT_EQ(LoadError("pipelines:\n" + pipeline("a", "/var/lib/cdcd/x") +
                      pipeline("b", "/var/lib/cdcd/y") + pipeline("c", "/var/lib/cdcd/./x/")),
            "p.yaml:16: pipelines[2].sink.path: the file sink of pipeline 'a' (line 6) writes to "
            "this directory too; every pipeline needs a directory of its own");
}

TEST_F(LoadConfigTest, BadEnumValuesListTheAllowedOnes) {
  EXPECT_EQ(LoadError(WithPipelineKeys("    format: {envelope: json}\n")),
            "p.yaml:8: pipelines[0].format.envelope: expected one of debezium, flat; got \"json\"");
  EXPECT_EQ(LoadError(WithPipelineKeys("    format: {decimal_handling: exact}\n")),
            "p.yaml:8: pipelines[0].format.decimal_handling: expected one of precise, string, "
            "double; got \"exact\"");
  EXPECT_EQ(LoadError(WithPipelineKeys("    format: {unchanged_toast: null_it}\n")),
            "p.yaml:8: pipelines[0].format.unchanged_toast: expected one of placeholder, omit; "
            "got \"null_it\"");
  EXPECT_EQ(LoadError(WithPipelineKeys("    format: {time_precision: micro}\n")),
            "p.yaml:8: pipelines[0].format.time_precision: expected one of adaptive, connect, "
            "isostring; got \"micro\"");
  EXPECT_EQ(LoadError("log: {level: loud}\n" + std::string(kMinimal)),
            "p.yaml:1: log.level: expected one of trace, debug, info, warn, error, off; got "
            "\"loud\"");
  EXPECT_EQ(LoadError("log: {format: xml}\n" + std::string(kMinimal)),
            "p.yaml:1: log.format: expected one of text, json; got \"xml\"");
}

// --- batch, retry, http ---------------------------------------------------------

TEST_F(LoadConfigTest, BatchLimitsAreValidated) {
  EXPECT_EQ(LoadError(WithPipelineKeys("    batch:\n      max_events: 0\n")),
            "p.yaml:9: pipelines[0].batch.max_events: must be greater than 0");
  EXPECT_EQ(LoadError(WithPipelineKeys("    batch:\n      max_bytes: 0\n")),
            "p.yaml:9: pipelines[0].batch.max_bytes: must be greater than 0");
  EXPECT_EQ(LoadError(WithPipelineKeys("    batch:\n      max_bytes: 1x\n")),
            "p.yaml:9: pipelines[0].batch.max_bytes: unknown unit 'x' in \"1x\" (use B, KB, MB, "
            "GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024))");
  EXPECT_EQ(LoadError(WithPipelineKeys("    batch:\n      linger: soon\n")),
            "p.yaml:9: pipelines[0].batch.linger: expected a duration like 250ms, 5s, 2m or 1h, "
            "got \"soon\"");
  EXPECT_EQ(LoadError(WithPipelineKeys("    batch:\n      max_bytes: 128MiB\n")),
            "p.yaml:9: pipelines[0].batch.max_bytes: max_bytes (134217728 bytes) must not exceed "
            "queue_bytes (16777216 bytes)");
  EXPECT_EQ(LoadError(WithPipelineKeys("    batch:\n      queue_bytes: 1MiB\n")),
            "p.yaml:9: pipelines[0].batch.queue_bytes: max_bytes (4194304 bytes) must not exceed "
            "queue_bytes (1048576 bytes)");
}

TEST_F(LoadConfigTest, RetryBackoffIsValidated) {
  EXPECT_EQ(LoadError(WithPipelineKeys("    retry:\n      initial_backoff: 0s\n")),
            "p.yaml:9: pipelines[0].retry.initial_backoff: must be greater than 0");
  EXPECT_EQ(LoadError(WithPipelineKeys("    retry:\n      initial_backoff: 1s\n"
                                       "      max_backoff: 500ms\n")),
            "p.yaml:10: pipelines[0].retry.max_backoff: max_backoff (500ms) must not be less than "
            "initial_backoff (1000ms)");
}

TEST_F(LoadConfigTest, HttpListenIsHostAndPort) {
  for (const char* bad : {"8083", ":8083", "localhost:", "localhost:99999", "localhost:http"}) {
    EXPECT_EQ(LoadError(std::string("http:\n  listen: \"") + bad + "\"\n" + kMinimal),
              std::string("p.yaml:2: http.listen: expected HOST:PORT like 127.0.0.1:8083, got \"") +
                  bad + "\"");
  }
  EXPECT_EQ(Load(std::string("http: {listen: \"[::1]:9000\"}\n") + kMinimal).http.listen,
            "[::1]:9000");
}

// --- CDCD_LOG_LEVEL -------------------------------------------------------------

TEST_F(LoadConfigTest, LogLevelEnvironmentOverridesTheFile) {
  const std::string yaml = "log: {level: warn}\n" + std::string(kMinimal);
  EXPECT_EQ(Load(yaml).log.level, "warn");
  {
    ScopedEnv level("CDCD_LOG_LEVEL", "trace");
    EXPECT_EQ(Load(yaml).log.level, "trace");
    EXPECT_EQ(Load(kMinimal).log.level, "trace");
  }
  {
    ScopedEnv level("CDCD_LOG_LEVEL", "");  // empty: as if unset
    EXPECT_EQ(Load(yaml).log.level, "warn");
  }
  ScopedEnv level("CDCD_LOG_LEVEL", "loud");
  EXPECT_EQ(LoadError(yaml),
            "environment variable CDCD_LOG_LEVEL: expected one of trace, debug, info, warn, error, "
            "off; got \"loud\"");
}

TEST_F(LoadConfigTest, FileLevelIsValidatedEvenWhenOverridden) {
  ScopedEnv level("CDCD_LOG_LEVEL", "debug");
  EXPECT_EQ(LoadError("log: {level: verbose}\n" + std::string(kMinimal)),
            "p.yaml:1: log.level: expected one of trace, debug, info, warn, error, off; got "
            "\"verbose\"");
}

// --- files --------------------------------------------------------------------------

TEST_F(LoadConfigTest, LoadsAFileAndNamesItInMessages) {
  cdc::testing::TempDir dir;
  const std::string path = dir.str() + "/pipelines.yaml";
  cdc::testing::WriteFile(path, kMinimal);
  DaemonConfig c = LoadConfigFile(path);
  EXPECT_EQ(c.file, path);
  EXPECT_EQ(c.pipelines[0].sink.where(), path + ":6");
  cdc::testing::WriteFile(path, "pipelines: [\n");
  EXPECT_EQ(ErrorOf([&] { LoadConfigFile(path); }),
            path +
                ":2: YAML syntax error: did not find expected node content at column 1 "
                "(while parsing a flow node at line 2)");
}

TEST_F(LoadConfigTest, UnreadableFileSaysWhy) {
  cdc::testing::TempDir dir;
  EXPECT_EQ(ErrorOf([&] { LoadConfigFile(dir.str() + "/missing.yaml"); }),
            dir.str() + "/missing.yaml: cannot read: No such file or directory");
  EXPECT_EQ(ErrorOf([&] { LoadConfigFile(dir.str()); }),
            dir.str() + ": cannot read: Is a directory");
}

}  // namespace
}  // namespace cdc
