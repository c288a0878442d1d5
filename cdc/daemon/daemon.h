// Daemon: turns a DaemonConfig into running pipelines, one thread each, plus
// the HTTP status endpoint (/healthz, /readyz, /metrics, /pipelines).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <utility>
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

// What one pipeline's sink reports through Sink::metrics().
struct PipelineSinkMetrics {
  std::string pipeline;
  std::string sink_type;  // the `type` of its sink block, e.g. "kafka"
  std::vector<SinkMetric> metrics;
};

// Prometheus text for sink metrics: one family cdcd_sink_<sink_type>_<name>
// per sink type and metric name (HELP and TYPE once, from its first
// pipeline), one sample per pipeline with a `pipeline` label, families in
// order of first appearance. Integral values print without a decimal point.
std::string SinkMetricsText(const std::vector<PipelineSinkMetrics>& sinks);

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
  // POST /pipelines/<pipeline>/snapshots with `body` {"tables": [...] (or
  // "table"), "where": "..."}: the HTTP status and the JSON answer -- 202
  // {"pipeline", "id", "tables"}, 400 for a bad request, 404 for an unknown
  // pipeline, 503 when the request cannot be written (database down).
  std::pair<int, std::string> request_snapshot(const std::string& pipeline,
                                               const std::string& body);

 private:
  void start_http();
  std::vector<PipelineSinkMetrics> sink_metrics() const;

  DaemonConfig config_;
  std::vector<std::unique_ptr<Pipeline>> pipelines_;
  std::vector<std::string> sink_types_;  // of pipelines_[i]'s sink block
  struct Http;
  std::unique_ptr<Http> http_;
};

}  // namespace cdc
