#include "daemon/state_command.h"

#include <spdlog/spdlog.h>

#include "cdc/table_state.h"
#include "cdc/timestamp.h"
#include "config/daemon_config.h"
#include "daemon/daemon.h"
#include "daemon/progress_line.h"
#include "daemon/replay_command.h"

namespace cdc {

int RunStateCommand(const StateCommand& cmd, const Registry& registry, std::FILE* out) {
  if (cmd.table.empty()) throw ConfigError("--table: name the table (e.g. public.orders)");
  if (!cmd.as_of.empty() && !cmd.at_offset.empty()) {
    throw ConfigError("--as-of and --at-offset: give one of them, not both");
  }
  if (cmd.format != "jsonl" && cmd.format != "csv") {
    throw ConfigError("--format " + cmd.format + ": want jsonl or csv");
  }
  StateQuery query;
  query.table = cmd.table;
  query.at_event = cmd.at_offset;
  if (!cmd.as_of.empty()) {
    query.as_of_us = ParseTimestampMicros(cmd.as_of);
    if (!query.as_of_us) {
      throw ConfigError("--as-of " + cmd.as_of +
                        ": not a timestamp (want e.g. 2026-12-04T10:15:30.123456Z, 2026-12-04 "
                        "10:15:30+01:00, 2026-12-04, or milliseconds since the epoch)");
    }
  }
  // Brokers for a Kafka capture: --brokers, else the pipeline's Kafka sink.
  std::optional<DaemonConfig> config;
  const ConfigNode* sink = nullptr;
  if (!cmd.config_path.empty()) {
    config = LoadConfigFile(cmd.config_path);
    const PipelineConfig& pipeline = *SelectPipelines(*config, cmd.pipeline).front();
    sink = &pipeline.sink;
    query.toast_placeholder = pipeline.format.toast_placeholder;
  }
  std::unique_ptr<ConfigNode> storage;
  const ConfigNode* connection = KafkaConnection(cmd.brokers, sink, storage);
  std::unique_ptr<CaptureReader> capture = registry.open_capture(cmd.from, connection);

  ProgressLine line("state");
  StateResult result = BuildTableState(*capture, query, [&](const CaptureProgress& p, uint64_t n) {
    line.update(p, n, "read " + ProgressLine::Count(n) + " records");
  });
  line.finish(capture->progress(), result.records,
              "read " + ProgressLine::Count(result.records) + " records");
  if (cmd.format == "csv") {
    result.state.write_csv(out);
  } else {
    result.state.write_jsonl(out);
  }
  std::fflush(out);
  spdlog::info("state: {} {}: {} rows from {} changes{}", result.table,
               query.as_of_us          ? "as of " + FormatTimestampMicros(*query.as_of_us)
               : cmd.at_offset.empty() ? std::string("at the end of the capture")
                                       : "at " + cmd.at_offset,
               result.state.size(), result.applied,
               result.last_commit_us
                   ? " (last applied commit " + FormatTimestampMicros(*result.last_commit_us) + ")"
                   : std::string());
  return 0;
}

}  // namespace cdc
