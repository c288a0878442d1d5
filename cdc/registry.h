// Registry: how the daemon finds source and sink implementations by the
// `type:` of their config block, without the core knowing any of them.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cdc/capture.h"
#include "cdc/config_node.h"
#include "cdc/format.h"
#include "cdc/sink.h"
#include "cdc/source.h"

namespace cdc {

// What a source or sink may want to know about the pipeline it serves.
struct PipelineContext {
  std::string pipeline_name;
  std::shared_ptr<const Format> format;
  FormatOptions format_options;
  // Empty for the pipeline itself. A second writer of the pipeline's sink
  // (a replay) names itself here; sinks that keep offsets or writer
  // identities outside the data (Kafka: the offset record's key, the
  // transactional id) then keep its own apart from the pipeline's.
  std::string instance;
  // `standby: true`: sinks that cannot tell another process's hold from a
  // lock (Kafka) take a lease first, and throw HeldElsewhereError without it.
  bool standby = false;
};

// Factories parse `config` (every key they accept, then reject_unknown_keys())
// and must not connect to anything: see Source and Sink.
using SourceFactory =
    std::function<std::unique_ptr<Source>(const ConfigNode& config, const PipelineContext& ctx)>;
using SinkFactory =
    std::function<std::unique_ptr<Sink>(const ConfigNode& config, const PipelineContext& ctx)>;

// Opens a capture at `location` (a directory, a topic list...). `connection`
// is a sink block naming the servers where the capture lives (brokers,
// security properties), or null when the caller has none.
using CaptureFactory = std::function<std::unique_ptr<CaptureReader>(const std::string& location,
                                                                    const ConfigNode* connection)>;

class Registry {
 public:
  void add_source(const std::string& type, SourceFactory f);
  void add_sink(const std::string& type, SinkFactory f);

  // Build from a `source:`/`sink:` block; fail at the block's `type` line for
  // an unknown type, listing the known ones.
  std::unique_ptr<Source> make_source(const ConfigNode& config, const PipelineContext& ctx) const;
  std::unique_ptr<Sink> make_sink(const ConfigNode& config, const PipelineContext& ctx) const;

  // Capture readers by the scheme of a capture spec: "kafka:orders,items"
  // opens scheme kafka at "orders,items"; a spec without a known scheme (or
  // with "file:") is a directory, scheme "file". CaptureError when the
  // scheme has no reader.
  void add_capture(const std::string& scheme, CaptureFactory f);
  std::unique_ptr<CaptureReader> open_capture(const std::string& spec,
                                              const ConfigNode* connection) const;

 private:
  std::map<std::string, SourceFactory> sources_;
  std::map<std::string, SinkFactory> sinks_;
  std::map<std::string, CaptureFactory> captures_;
};

}  // namespace cdc
