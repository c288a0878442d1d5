// docs/configuration.md lists exactly the keys the loader and the source and
// sink factories accept: a config touching every block is loaded and built,
// every key the code looked up (present or not, ConfigNode::looked_up_keys)
// is sorted into the reference's sections, and the two lists must be equal.
// A key added to the code without a line in the reference fails here, and so
// does a documented key the code no longer reads.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>

#include "config/daemon_config.h"
#include "daemon/builtin_plugins.h"
#include "daemon/daemon.h"
#include "tests/support/test_support.h"

namespace cdc {
namespace {

using Sections = std::map<std::string, std::set<std::string>>;

// Section ("http", "source postgres", ...) -> keys of its table.
Sections DocumentedKeys() {
  std::ifstream in(testing::SourcePath("docs/configuration.md"));
  EXPECT_TRUE(in) << "docs/configuration.md is missing";
  static const std::regex heading(R"(^### `([^`]+)`(?: type `([^`]+)`)?\s*$)");
  static const std::regex row(R"(^\| `([^`]+)` \|)");
  Sections out;
  std::string section;
  std::smatch m;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("#", 0) == 0) section.clear();
    if (std::regex_match(line, m, heading)) {
      section = m[1].str() + (m[2].matched ? " " + m[2].str() : "");
    } else if (!section.empty() && std::regex_search(line, m, row)) {
      out[section].insert(m[1]);
    }
  }
  return out;
}

// Every block of every source and sink type, with the mappings whose keys
// are read only when they are there.
const char* kConfig = R"(pipelines:
  - name: gen
    source: {type: generator, op_mix: {create: 1}, transaction_size: {min: 1}}
    sink: {type: file, path: /tmp/cdcd-reference-test}
    format: {envelope: debezium}
    batch: {max_events: 10}
    retry: {initial_backoff: 1s}
  - name: pg
    source: {type: postgres, dsn: "host=localhost", tables: [public.t], snapshot: {mode: never}}
    sink: {type: kafka, brokers: "localhost:9092"}
  - name: my
    source: {type: mysql, host: localhost, user: u, tables: [d.t], snapshot: {mode: never}}
    sink: {type: file, path: /tmp/cdcd-reference-test-2}
http: {enabled: false}
log: {level: info}
)";

// The section and the key relative to it of one looked-up key path.
std::pair<std::string, std::string> SectionOf(const std::string& path, const DaemonConfig& c) {
  static const std::regex pipeline(R"(^pipelines\[(\d+)\]\.([a-z_]+)(?:\.(.+))?$)");
  std::smatch m;
  if (!std::regex_match(path, m, pipeline)) {
    const size_t dot = path.find('.');
    if (dot == std::string::npos) return {"top level", path};
    return {path.substr(0, dot), path.substr(dot + 1)};
  }
  const PipelineConfig& p = c.pipelines.at(std::stoul(m[1]));
  const std::string block = m[2];
  if (!m[3].matched) return {"pipelines[]", block};
  if (block == "source") return {"source " + p.source.get_string("type"), m[3]};
  if (block == "sink") return {"sink " + p.sink.get_string("type"), m[3]};
  return {block, m[3]};
}

std::string Join(const std::set<std::string>& keys) {
  std::string out;
  for (const std::string& k : keys) out += (out.empty() ? "" : ", ") + k;
  return out;
}

TEST(ConfigReferenceTest, DocumentsExactlyTheKeysTheCodeAccepts) {
  const DaemonConfig config = LoadConfigString(kConfig, "reference.yaml");
  // The factories read their blocks; nothing connects.
  const auto pipelines = BuildPipelines(config, BuiltinRegistry());
  ASSERT_EQ(pipelines.size(), 3u);
  Sections accepted;
  for (const std::string& path : config.pipelines[0].source.looked_up_keys()) {
    auto [section, key] = SectionOf(path, config);
    accepted[section].insert(key);
  }
  const Sections documented = DocumentedKeys();
  for (const auto& [section, keys] : accepted) {
    SCOPED_TRACE("section `" + section + "`");
    ASSERT_TRUE(documented.count(section)) << "docs/configuration.md has no section for it";
    std::set<std::string> undocumented, stale;
    for (const std::string& k : keys) {
      if (!documented.at(section).count(k)) undocumented.insert(k);
    }
    for (const std::string& k : documented.at(section)) {
      if (!keys.count(k)) stale.insert(k);
    }
    EXPECT_TRUE(undocumented.empty())
        << "accepted, not in docs/configuration.md: " << Join(undocumented);
    EXPECT_TRUE(stale.empty()) << "in docs/configuration.md, not read by the code: " << Join(stale);
  }
  for (const auto& [section, keys] : documented) {
    EXPECT_TRUE(accepted.count(section))
        << "docs/configuration.md section `" << section << "` was not exercised: extend kConfig";
  }
}

}  // namespace
}  // namespace cdc
