// Registry: how the daemon finds source and sink implementations by the
// `type:` of their config block, without the core knowing any of them.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

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
};

// Factories parse `config` (every key they accept, then reject_unknown_keys())
// and must not connect to anything: see Source and Sink.
using SourceFactory =
    std::function<std::unique_ptr<Source>(const ConfigNode& config, const PipelineContext& ctx)>;
using SinkFactory =
    std::function<std::unique_ptr<Sink>(const ConfigNode& config, const PipelineContext& ctx)>;

class Registry {
 public:
  void add_source(const std::string& type, SourceFactory f);
  void add_sink(const std::string& type, SinkFactory f);

  // Build from a `source:`/`sink:` block; fail at the block's `type` line for
  // an unknown type, listing the known ones.
  std::unique_ptr<Source> make_source(const ConfigNode& config, const PipelineContext& ctx) const;
  std::unique_ptr<Sink> make_sink(const ConfigNode& config, const PipelineContext& ctx) const;

 private:
  std::map<std::string, SourceFactory> sources_;
  std::map<std::string, SinkFactory> sinks_;
};

}  // namespace cdc
