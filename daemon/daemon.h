// Daemon: turns a DaemonConfig into running pipelines, one thread each, plus
// the HTTP status endpoint (/healthz, /readyz, /metrics, /pipelines,
// POST /reload), and applies a changed config file while running.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "cdc/pipeline.h"
#include "cdc/registry.h"
#include "config/daemon_config.h"
#include "daemon/pipeline_set.h"

namespace cdc {

PipelineContext MakePipelineContext(const PipelineConfig& config);

// Builds one pipeline: parses its source and sink blocks (ConfigError on a
// bad one) without connecting.
std::unique_ptr<Pipeline> BuildPipeline(const PipelineConfig& config, const Registry& registry);

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

// Prometheus text for the per-pipeline detail: cdcd_events_total{table,op},
// the cdcd_commit_duration_seconds histogram, cdcd_pipeline_state{state} and
// cdcd_last_error_timestamp_seconds.
std::string PipelineDetailMetrics(const std::vector<PipelineStatus>& statuses);

// What a reload did, or why it did nothing.
struct ReloadResult {
  bool ok = false;
  std::string error;  // "FILE:LINE: PATH: message" when !ok
  PipelineSet::Plan plan;
  std::string summary() const;  // one line for the log and POST /reload
};

class Daemon {
 public:
  // Builds the pipelines of `config` (all, or only the one named `only`):
  // ConfigError on a bad block, before anything runs.
  Daemon(DaemonConfig config, Registry registry, std::string only = "");
  ~Daemon();

  // Runs until every pipeline has ended; true when none failed.
  bool run();
  // Drain, commit and stop every pipeline. Thread-safe.
  void stop();
  // Re-reads the config file (SIGHUP, POST /reload) and applies it: added
  // pipelines start, removed ones drain and stop, changed ones (and ones
  // that failed) restart from their committed offset, the others keep
  // running untouched. An invalid file changes nothing. Thread-safe.
  ReloadResult reload();

  std::string pipelines_json() const;
  std::string metrics_text() const;
  // /readyz: "" when every pipeline is running, or finished without an
  // error; otherwise one line per pipeline that is not, with its state and
  // last error, so a probe's log says why.
  std::string not_ready() const;
  // POST /pipelines/<pipeline>/snapshots with `body` {"tables": [...] (or
  // "table"), "where": "..."}: the HTTP status and the JSON answer -- 202
  // {"pipeline", "id", "tables"}, 400 for a bad request, 404 for an unknown
  // pipeline, 503 when the request cannot be written (database down).
  std::pair<int, std::string> request_snapshot(const std::string& pipeline,
                                               const std::string& body);

 private:
  // BuildPipeline, with what the set keeps beside it.
  PipelineSet::Entry build(const PipelineConfig& config) const;
  void start_http();
  std::vector<PipelineSinkMetrics> sink_metrics() const;

  DaemonConfig config_;  // as started: the file to re-read and the http settings
  const Registry registry_;
  const std::string only_;
  std::vector<PipelineSet::Entry> initial_;  // started by run()
  PipelineSet pipelines_;
  std::mutex reload_mu_;  // one reload at a time, and none while run() starts initial_
  bool started_ = false;  // under reload_mu_
  struct Http;
  std::unique_ptr<Http> http_;
};

}  // namespace cdc
