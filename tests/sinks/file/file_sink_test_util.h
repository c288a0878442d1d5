// Shared by the file sink tests: a context with IdTestFormat, a sink built
// from YAML text the way the daemon builds it, and the exact line the sink
// must write for a CustomerEvent().
#pragma once

#include <yaml-cpp/yaml.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cdc/change_event.h"
#include "cdc/config_node.h"
#include "cdc/format.h"
#include "cdc/registry.h"
#include "sinks/file/file_sink.h"
#include "tests/support/id_test_format.h"
#include "tests/support/test_support.h"

namespace cdc::testing {

inline PipelineContext TestContext(bool tombstones = true) {
  PipelineContext ctx;
  ctx.pipeline_name = "app";
  ctx.format = std::make_shared<IdTestFormat>();
  ctx.format_options.tombstones = tombstones;
  return ctx;
}

// A `sink:` block as it would appear in test.yaml.
inline ConfigNode SinkConfig(const std::string& yaml) {
  return ConfigNode(YAML::Load(yaml), "test.yaml", "sink");
}

// A sink on `dir` with fsync on; `extra` adds YAML lines to its block.
inline std::unique_ptr<Sink> MakeTestSink(const std::string& dir, const std::string& extra = "",
                                          bool tombstones = true) {
  return MakeFileSink(SinkConfig("type: file\npath: " + dir + "\n" + extra),
                      TestContext(tombstones));
}

// The line a default-routed sink writes for CustomerEvent(op, id, _, tx, index);
// `tombstone` for the null-valued record that follows a delete.
inline std::string ExpectedLine(Op op, int id, uint64_t tx, uint64_t index,
                                bool tombstone = false) {
  std::string ids = std::to_string(id);
  std::string value =
      tombstone ? "null" : std::string("{\"op\":\"") + OpName(op) + "\",\"id\":" + ids + "}";
  return "{\"topic\":\"app.public.customers\",\"key\":{\"id\":" + ids + "},\"value\":" + value +
         ",\"headers\":{\"cdcd.event_id\":\"tx-" + std::to_string(tx) + ":" +
         std::to_string(index) + "\",\"cdcd.op\":\"" + OpName(op) + "\",\"cdcd.source_ts_ms\":\"" +
         std::to_string(1'700'000'000'000 + tx) + "\"}}\n";
}

// An offset without source state.
inline Offset At(const std::string& tx, uint64_t index) {
  return Offset{tx, index, nullptr};
}

// Creates of ids first_id.., all in transaction `tx` from index `first_index` on.
inline std::vector<ChangeEvent> Creates(int first_id, int count, uint64_t tx,
                                        uint64_t first_index = 0) {
  std::vector<ChangeEvent> out;
  for (int i = 0; i < count; ++i) {
    out.push_back(CustomerEvent(Op::kCreate, first_id + i, std::to_string(first_id + i), tx,
                                first_index + static_cast<uint64_t>(i)));
  }
  return out;
}

inline std::string CreateLines(int first_id, int count, uint64_t tx, uint64_t first_index = 0) {
  std::string out;
  for (int i = 0; i < count; ++i) {
    out += ExpectedLine(Op::kCreate, first_id + i, tx, first_index + static_cast<uint64_t>(i));
  }
  return out;
}

}  // namespace cdc::testing
