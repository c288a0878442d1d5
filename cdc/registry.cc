#include "cdc/registry.h"

#include "cdc/error.h"

namespace cdc {
namespace {

template <typename Map>
const typename Map::mapped_type& Lookup(const Map& m, const ConfigNode& config, const char* what) {
  std::string type = config.get_string("type");
  auto it = m.find(type);
  if (it == m.end()) {
    std::string known;
    for (const auto& [name, _] : m) known += (known.empty() ? "" : ", ") + name;
    config.child("type").fail(std::string("unknown ") + what + " type '" + type +
                              "' (known: " + known + ")");
  }
  return it->second;
}

}  // namespace

void Registry::add_source(const std::string& type, SourceFactory f) {
  sources_[type] = std::move(f);
}

void Registry::add_sink(const std::string& type, SinkFactory f) {
  sinks_[type] = std::move(f);
}

std::unique_ptr<Source> Registry::make_source(const ConfigNode& config,
                                              const PipelineContext& ctx) const {
  return Lookup(sources_, config, "source")(config, ctx);
}

std::unique_ptr<Sink> Registry::make_sink(const ConfigNode& config,
                                          const PipelineContext& ctx) const {
  return Lookup(sinks_, config, "sink")(config, ctx);
}

void Registry::add_capture(const std::string& scheme, CaptureFactory f) {
  captures_[scheme] = std::move(f);
}

std::unique_ptr<CaptureReader> Registry::open_capture(const std::string& spec,
                                                      const ConfigNode* connection) const {
  std::string scheme = "file", location = spec;
  auto colon = spec.find(':');
  if (colon != std::string::npos && captures_.count(spec.substr(0, colon))) {
    scheme = spec.substr(0, colon);
    location = spec.substr(colon + 1);
  }
  auto it = captures_.find(scheme);
  if (it == captures_.end()) throw CaptureError("no reader for captures of kind " + scheme);
  if (location.empty()) throw CaptureError("capture \"" + spec + "\" names nothing to read");
  return it->second(location, connection);
}

}  // namespace cdc
