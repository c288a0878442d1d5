// Parsing of one `pipelines[i]` block into a PipelineConfig (internal to
// the config loader; see daemon_config.h for the contract).
#pragma once

#include "cdc/config_node.h"
#include "config/daemon_config.h"

namespace cdc {

// Validates everything but the keys inside `source:` and `sink:`.
PipelineConfig ParsePipelineConfig(const ConfigNode& node);

// Marks `keys` as known, then fails on any other key of `node`. Checking
// before reading gives "did you mean" for a misspelt required key instead
// of "missing required key".
void AllowOnlyKeys(const ConfigNode& node, const std::vector<std::string>& keys);

}  // namespace cdc
