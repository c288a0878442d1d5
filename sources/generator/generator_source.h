// GeneratorSource: a Source that invents a steady, reproducible change
// stream (see GeneratorModel) for demos, tests and sink benchmarks.
//
// Its offsets behave like a real log's: {tx: "<transaction number>", index:
// <events of it already delivered>, state: <events delivered overall>}, and
// run() from an offset yields exactly the events after it.
//
// Config (type: generator): rate, database, tables, key_space, op_mix
// {create, update, delete}, transaction_size {min, max}, seed, limit,
// start_time (ISO-8601 UTC commit time of transaction 0).
#pragma once

#include <atomic>

#include "cdc/config_node.h"
#include "cdc/registry.h"
#include "cdc/source.h"
#include "sources/generator/generator_model.h"

namespace cdc {

GeneratorSettings ParseGeneratorSettings(const ConfigNode& config,
                                         const std::string& pipeline_name);

class GeneratorSource : public Source {
 public:
  explicit GeneratorSource(GeneratorSettings settings);

  void run(const std::optional<Offset>& from, Emitter& out, std::stop_token stop) override;
  void acknowledge(const Offset& committed) override;

  const GeneratorModel& model() const { return model_; }
  uint64_t acknowledged_events() const { return acked_.load(); }

 private:
  GeneratorModel model_;
  std::atomic<uint64_t> acked_{0};
};

void RegisterGeneratorSource(Registry& registry);

}  // namespace cdc
