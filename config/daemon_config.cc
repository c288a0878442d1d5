#include "config/daemon_config.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>

#include "cdc/error.h"
#include "config/pipeline_config.h"
#include "config/yaml_syntax.h"

namespace cdc {
namespace {

const std::vector<std::string> kLogLevels = {"trace", "debug", "info", "warn", "error", "off"};

std::string LineOf(const YAML::Mark& mark) {
  return std::to_string(mark.is_null() || mark.line < 0 ? 1 : mark.line + 1);
}

// The one document of `yaml`; an empty file gives a null node.
YAML::Node ParseYaml(const std::string& yaml, const std::string& name) {
  CheckYamlSyntax(yaml, name);
  try {
    return YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    throw ConfigError(name + ":" + LineOf(e.mark) + ": YAML syntax error: " + e.msg);
  }
}

HttpConfig ParseHttp(const std::optional<ConfigNode>& node) {
  HttpConfig h;
  if (!node) return h;
  AllowOnlyKeys(*node, {"enabled", "listen", "token", "token_file"});
  h.enabled = node->get_bool("enabled", h.enabled);
  h.token = node->get_secret("token");
  h.listen = node->get_string("listen", h.listen);
  const size_t colon = h.listen.rfind(':');
  const std::string port = colon == std::string::npos ? "" : h.listen.substr(colon + 1);
  const bool valid = colon != std::string::npos && colon > 0 && !port.empty() && port.size() <= 5 &&
                     port.find_first_not_of("0123456789") == std::string::npos &&
                     std::stoi(port) <= 65535;
  if (!valid) {
    node->child("listen").fail("expected HOST:PORT like 127.0.0.1:8083, got \"" + h.listen + "\"");
  }
  return h;
}

// CDCD_LOG_LEVEL wins over the file so that one run can be made verbose
// without editing the config; it must still name a real level.
std::string LogLevelOverride(const std::string& level) {
  const char* env = std::getenv("CDCD_LOG_LEVEL");
  if (!env || !*env) return level;
  for (const auto& allowed : kLogLevels) {
    if (allowed == env) return env;
  }
  std::string list;
  for (const auto& allowed : kLogLevels) list += (list.empty() ? "" : ", ") + allowed;
  throw ConfigError("environment variable CDCD_LOG_LEVEL: expected one of " + list + "; got \"" +
                    env + "\"");
}

LogConfig ParseLog(const std::optional<ConfigNode>& node) {
  LogConfig l;
  if (node) {
    AllowOnlyKeys(*node, {"level", "format"});
    l.level = node->get_choice("level", kLogLevels, l.level);
    l.format = node->get_choice("format", {"text", "json"}, l.format);
  }
  l.level = LogLevelOverride(l.level);
  return l;
}

std::string LineOfNode(const ConfigNode& node) {
  const std::string where = node.where();
  return where.substr(where.rfind(':') + 1);
}

std::vector<PipelineConfig> ParsePipelines(const ConfigNode& node) {
  std::vector<ConfigNode> items = node.items();
  if (items.empty()) node.fail("must list at least one pipeline");
  std::vector<PipelineConfig> out;
  std::map<std::string, std::string> first_line;  // name -> line
  std::map<std::string, std::string> file_paths;  // a file sink's directory -> "'name' (line N)"
  for (const ConfigNode& item : items) {
    PipelineConfig p = ParsePipelineConfig(item);
    ConfigNode name = item.child("name");
    auto [it, fresh] = first_line.emplace(p.name, LineOfNode(name));
    if (!fresh) {
      name.fail("duplicate pipeline name '" + p.name + "' (first at line " + it->second + ")");
    }
    // Two file sinks in one directory would fight over its lock and its
    // offsets.json: found here rather than when the second one starts.
    if (p.sink.get_string("type") == "file" && p.sink.has("path")) {
      const ConfigNode path = p.sink.child("path");
      const std::string dir =
          std::filesystem::path(p.sink.get_string("path")).lexically_normal().string();
      const std::string key =
          dir.size() > 1 && dir.back() == '/' ? dir.substr(0, dir.size() - 1) : dir;
      auto [other, first] =
          file_paths.emplace(key, "'" + p.name + "' (line " + LineOfNode(path) + ")");
      if (!first) {
        path.fail("the file sink of pipeline " + other->second +
                  " writes to this directory too; every pipeline needs a directory of its own");
      }
    }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

DaemonConfig LoadConfigString(const std::string& yaml, const std::string& name) {
  YAML::Node doc = ParseYaml(yaml, name);
  if (doc.IsNull()) throw ConfigError(name + ":1: the file is empty; expected a 'pipelines' list");
  ConfigNode root(doc, name, "");
  if (!root.is_map()) root.fail("expected a mapping with a 'pipelines' list");
  AllowOnlyKeys(root, {"pipelines", "http", "log"});
  DaemonConfig config;
  config.file = name;
  config.pipelines = ParsePipelines(root.child("pipelines"));
  config.http = ParseHttp(root.optional_child("http"));
  config.log = ParseLog(root.optional_child("log"));
  return config;
}

DaemonConfig LoadConfigFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw ConfigError(path + ": cannot read: " + std::strerror(errno));
  std::string content;
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) content.append(buf, static_cast<size_t>(n));
  }
  const int read_errno = errno;
  ::close(fd);
  if (n < 0) throw ConfigError(path + ": cannot read: " + std::strerror(read_errno));
  return LoadConfigString(content, path);
}

}  // namespace cdc
