// ConfigNode: a typed, position-aware view of one YAML node of a config file.
//
// Sources and sinks read their own settings through it, so every error about
// a setting names the file and line it came from:
//     pipelines.yaml:12: pipelines[0].sink.rotate_bytes: expected a size like
//     64MiB, got "lots"
// Every getter marks its key as used; reject_unknown_keys() then fails on the
// first key nobody asked for, which catches typos instead of ignoring them.
// ${VAR} and ${VAR:-default} in scalars are replaced from the environment when
// the scalar is read; an unset variable without a default is an error there.
//
// Copies share the set of used keys, so a node may be passed around by value.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace cdc {

class ConfigNode {
 public:
  // `file` is the name used in messages; `path` the node's dotted path
  // ("pipelines[0].sink"), empty for the document root.
  ConfigNode(YAML::Node node, std::string file, std::string path);

  // "FILE:LINE" of this node (line is 1-based).
  std::string where() const;
  const std::string& path() const { return path_; }
  // Throws ConfigError("FILE:LINE: PATH: message").
  [[noreturn]] void fail(const std::string& message) const;

  bool is_map() const;
  bool is_sequence() const;
  bool has(const std::string& key) const;

  // Child nodes. child() fails when the key is missing.
  ConfigNode child(const std::string& key) const;
  std::optional<ConfigNode> optional_child(const std::string& key) const;
  std::vector<ConfigNode> items() const;  // elements of a sequence; fails otherwise
  std::vector<std::pair<std::string, ConfigNode>> entries() const;  // of a mapping

  // This node as a scalar (after ${VAR} substitution); fails otherwise.
  std::string scalar() const;

  // Required getters fail when the key is missing or has the wrong type.
  std::string get_string(const std::string& key) const;
  std::string get_string(const std::string& key, const std::string& dflt) const;
  int64_t get_int(const std::string& key) const;
  int64_t get_int(const std::string& key, int64_t dflt) const;
  double get_double(const std::string& key, double dflt) const;
  bool get_bool(const std::string& key, bool dflt) const;
  // "250ms", "5s", "2m", "1h"; a bare number is milliseconds.
  std::chrono::milliseconds get_duration(const std::string& key,
                                         std::chrono::milliseconds dflt) const;
  // "64MiB", "10MB", "512KiB", "1GiB"; a bare number is bytes.
  uint64_t get_size(const std::string& key, uint64_t dflt) const;
  // A sequence of scalars; a lone scalar is taken as a list of one.
  std::vector<std::string> get_string_list(const std::string& key,
                                           std::vector<std::string> dflt = {}) const;
  // A mapping of scalars to scalars (e.g. librdkafka properties).
  std::map<std::string, std::string> get_string_map(const std::string& key) const;
  // A secret: the string at `key`, or the content of the file named at
  // `key`_file (one trailing newline dropped), so that it can come from the
  // environment (${VAR}) or a mounted file (a Docker or Kubernetes secret);
  // `dflt` when neither is there, an error when both are. Messages never
  // show the value.
  std::string get_secret(const std::string& key, const std::string& dflt = "") const;
  // One of `allowed`; the message lists them.
  std::string get_choice(const std::string& key, const std::vector<std::string>& allowed,
                         const std::string& dflt) const;

  // This node's content as one text, scalars after ${VAR} substitution:
  // equal for two nodes that say the same thing however they are laid out
  // (a reload compares pipelines with it). Marks no key as read; never
  // throws (a scalar naming an unset variable stands as written).
  std::string canonical() const;
  // Marks a key as understood without reading it (e.g. "type", read by the
  // caller that chose the factory).
  void mark_used(const std::string& key) const;
  // Fails naming the first key of this mapping that no getter read.
  void reject_unknown_keys() const;
  // Every key looked up anywhere in this node's document so far, present in
  // it or not, as "path.key" ("pipelines[0].sink.path"): the keys the code
  // that read it accepts (tests compare them with docs/configuration.md).
  std::vector<std::string> looked_up_keys() const;

 private:
  ConfigNode(YAML::Node node, std::shared_ptr<const std::string> file, std::string path,
             std::shared_ptr<std::set<std::string>> used);
  ConfigNode make_child(const YAML::Node& node, const std::string& child_path) const;
  std::string key_path(const std::string& key) const;
  std::optional<ConfigNode> lookup(const std::string& key) const;

  YAML::Node node_;
  std::shared_ptr<const std::string> file_;
  std::string path_;
  std::shared_ptr<std::set<std::string>> used_;  // keys of this node read so far
};

// Replaces ${VAR} and ${VAR:-default} in `text` from the environment; "$$"
// stands for a literal "$". Throws ConfigError prefixed with `where` for an
// unset variable without default or an unterminated reference.
std::string ExpandEnv(const std::string& text, const std::string& where);

}  // namespace cdc
