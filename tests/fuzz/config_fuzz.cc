// libFuzzer target: a YAML config file, loaded and every pipeline built
// (source and sink blocks parsed, nothing connected), as `cdcd validate`
// does. Seeds: config/examples and docker/pipelines.yaml. Bad input must end
// in a cdc::Error (a ConfigError naming FILE:LINE), never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "cdc/error.h"
#include "config/daemon_config.h"
#include "daemon/builtin_plugins.h"
#include "daemon/daemon.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const cdc::Registry registry = cdc::BuiltinRegistry();
  try {
    const cdc::DaemonConfig config =
        cdc::LoadConfigString(std::string(reinterpret_cast<const char*>(data), size), "fuzz.yaml");
    cdc::BuildPipelines(config, registry);
  } catch (const cdc::Error&) {
  }
  return 0;
}
