// Daemon: turns a DaemonConfig into running pipelines, one thread each, plus
// the HTTP status endpoint (/healthz, /readyz, /metrics, /pipelines).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "cdc/pipeline.h"
#include "cdc/registry.h"
#include "config/daemon_config.h"

namespace cdc {

PipelineContext MakePipelineContext(const PipelineConfig& config);

// Builds the named pipeline, or all when `only` is empty. Parses every
// source and sink block (ConfigError on a bad one) without connecting.
std::vector<std::unique_ptr<Pipeline>> BuildPipelines(const DaemonConfig& config,
                                                      const Registry& registry,
                                                      const std::string& only = "");

// The selected pipeline configs; ConfigError naming the known ones when
// `only` names none.
std::vector<const PipelineConfig*> SelectPipelines(const DaemonConfig& config,
                                                   const std::string& only);

class Daemon {
 public:
  Daemon(DaemonConfig config, std::vector<std::unique_ptr<Pipeline>> pipelines);
  ~Daemon();

  // Runs until every pipeline has ended; true when none failed.
  bool run();
  // Drain, commit and stop every pipeline. Thread-safe.
  void stop();

  std::string pipelines_json() const;
  std::string metrics_text() const;
  bool ready() const;

 private:
  void start_http();

  DaemonConfig config_;
  std::vector<std::unique_ptr<Pipeline>> pipelines_;
  struct Http;
  std::unique_ptr<Http> http_;
};

}  // namespace cdc
