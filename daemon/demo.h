// The demo behind the README's first command: an embedded pipeline from the
// generator source into the file sink, run to completion, then a few of the
// captured events printed to stdout.
#pragma once

#include <cstdint>
#include <string>

namespace cdc {

// The embedded config, with the output directory and event count filled in.
std::string DemoConfigYaml(const std::string& dir, uint64_t events);

// Runs the demo into `dir` (a new temp dir when empty); true on success.
bool RunDemo(const std::string& dir, uint64_t events);

}  // namespace cdc
