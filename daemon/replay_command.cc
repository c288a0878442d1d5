#include "daemon/replay_command.h"

#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>

#include "cdc/replay.h"
#include "cdc/timestamp.h"
#include "config/daemon_config.h"
#include "daemon/daemon.h"
#include "daemon/progress_line.h"

namespace cdc {
namespace {

std::optional<int64_t> TimeOption(const std::string& flag, const std::string& text) {
  if (text.empty()) return std::nullopt;
  std::optional<int64_t> us = ParseTimestampMicros(text);
  if (!us) {
    throw ConfigError(flag + " " + text +
                      ": not a timestamp (want e.g. 2026-12-04T10:15:30Z, 2026-12-04 10:15:30.5"
                      "+01:00, 2026-12-04, or milliseconds since the epoch)");
  }
  return us;
}

ReplayOptions Options(const ReplayCommand& cmd) {
  ReplayOptions o;
  if (cmd.name.empty() || cmd.name.find_first_of(" :/") != std::string::npos) {
    throw ConfigError("--name \"" + cmd.name +
                      "\": want a non-empty name without spaces, ':' or '/'");
  }
  o.name = cmd.name;
  o.tables = cmd.tables;
  o.since_us = TimeOption("--since", cmd.since);
  o.until_us = TimeOption("--until", cmd.until);
  if (o.since_us && o.until_us && *o.since_us > *o.until_us) {
    throw ConfigError("--since " + cmd.since + " is after --until " + cmd.until);
  }
  o.topic_prefix = cmd.topic_prefix;
  for (const std::string& r : cmd.renames) {
    auto eq = r.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == r.size()) {
      throw ConfigError("--rename-topic " + r + ": want OLD=NEW");
    }
    o.topic_renames[r.substr(0, eq)] = r.substr(eq + 1);
  }
  return o;
}

std::string Canonical(const std::string& path) {
  std::error_code ec;
  auto p = std::filesystem::weakly_canonical(path, ec);
  return ec ? path : p.string();
}

}  // namespace

const ConfigNode* KafkaConnection(const std::string& brokers, const ConfigNode* sink,
                                  std::unique_ptr<ConfigNode>& storage) {
  if (!brokers.empty()) {
    YAML::Node node;
    node["type"] = "kafka";
    node["brokers"] = brokers;
    storage = std::make_unique<ConfigNode>(node, "--brokers", "brokers");
    return storage.get();
  }
  return sink && sink->get_string("type") == "kafka" ? sink : nullptr;
}

int RunReplayCommand(const ReplayCommand& cmd, const Registry& registry, std::stop_token stop) {
  ReplayOptions options = Options(cmd);
  DaemonConfig config = LoadConfigFile(cmd.config_path);
  const PipelineConfig& pipeline = *SelectPipelines(config, cmd.pipeline).front();
  // Batches and retries as the pipeline's own.
  options.max_records = pipeline.batch.max_events;
  options.max_bytes = pipeline.batch.max_bytes;
  options.initial_backoff = pipeline.retry.initial_backoff;
  options.max_backoff = pipeline.retry.max_backoff;
  std::unique_ptr<ConfigNode> storage;
  const ConfigNode* connection = KafkaConnection(cmd.brokers, &pipeline.sink, storage);
  auto open = [&] { return registry.open_capture(cmd.from, connection); };
  std::unique_ptr<CaptureReader> first = open();  // bad captures fail here, early

  if (pipeline.sink.get_string("type") == "file" &&
      Canonical(pipeline.sink.get_string("path")) == Canonical(first->describe())) {
    throw ConfigError("pipeline " + pipeline.name + " writes to " + first->describe() +
                      ", the capture being replayed: replay into another directory");
  }
  PipelineContext ctx = MakePipelineContext(pipeline);
  ctx.instance = "replay." + options.name;
  std::unique_ptr<Sink> target = registry.make_sink(pipeline.sink, ctx);
  spdlog::info("replay {}: {} -> pipeline {}'s {} sink", options.name, first->describe(),
               pipeline.name, pipeline.sink.get_string("type"));

  ProgressLine line("replay");
  ReplayProgress last;
  auto detail = [](const ReplayProgress& p) {
    return "read " + ProgressLine::Count(p.read) + ", written " + ProgressLine::Count(p.written);
  };
  bool reused = false;
  ReplayResult result = RunReplay(
      [&] {
        if (!reused && first) return reused = true, std::move(first);
        return open();
      },
      *target, options,
      [&](const ReplayProgress& p) {
        last = p;
        line.update(p.capture, p.read, detail(p));
      },
      stop);
  line.finish(last.capture, last.read, detail(last));
  if (result.completed) {
    spdlog::info("replay {}: complete: {} records read, {} written", options.name, result.read,
                 result.written);
  } else {
    spdlog::info(
        "replay {}: stopped after {} records read, {} written; run the same command "
        "to resume",
        options.name, result.read, result.written);
  }
  return 0;
}

}  // namespace cdc
