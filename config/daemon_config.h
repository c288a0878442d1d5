// DaemonConfig: the parsed and validated pipelines file.
//
// The loader checks everything the core owns (top level, http, log, each
// pipeline's name, format, batch and retry) and fails with
// ConfigError("FILE:LINE: PATH: message") on the first problem, unknown keys
// included. It leaves each `source:`/`sink:` block to its factory: it only
// checks that the block is a mapping with a string `type`, and hands it on
// as a ConfigNode that shares the document's used-key tracking, so the
// factory can reject unknown keys later (copies of a DaemonConfig keep it).
//
// The environment variable CDCD_LOG_LEVEL, when set and non-empty, replaces
// log.level (it must be one of the same levels).
#pragma once

#include <string>
#include <vector>

#include "cdc/config_node.h"
#include "cdc/format.h"
#include "cdc/pipeline.h"  // BatchOptions, RetryOptions

namespace cdc {

struct HttpConfig {
  bool enabled = true;
  std::string listen = "127.0.0.1:8083";  // HOST:PORT; port 0 picks a free one
  // When set, every request but the probes (/healthz, /readyz) needs
  // "Authorization: Bearer <token>".
  std::string token;
};

struct LogConfig {
  std::string level = "info";   // trace | debug | info | warn | error | off
  std::string format = "text";  // text | json
};

struct PipelineConfig {
  std::string name;  // [a-zA-Z0-9_.-]+, unique in the file
  ConfigNode source;
  ConfigNode sink;
  FormatOptions format;
  BatchOptions batch;
  RetryOptions retry;
  // The whole pipeline block, ConfigNode::canonical(): a reload restarts the
  // pipeline when it changed.
  std::string fingerprint;
};

struct DaemonConfig {
  std::string file;  // as given to the loader; the prefix of every message
  HttpConfig http;
  LogConfig log;
  std::vector<PipelineConfig> pipelines;
};

// ConfigError "FILE: cannot read: <strerror>" when the file cannot be read.
DaemonConfig LoadConfigFile(const std::string& path);
// `name` stands for the file in messages.
DaemonConfig LoadConfigString(const std::string& yaml, const std::string& name);

}  // namespace cdc
