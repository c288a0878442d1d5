#include "sources/mysql/mysql_source.h"

namespace cdc::mysql {
namespace {

CoordinatorOptions Coordination(const MySqlSourceOptions& o) {
  CoordinatorOptions c;
  c.context = o.context();
  c.snapshot = o.snapshot;
  c.pipeline = o.pipeline;
  return c;
}

}  // namespace

MySqlSource::MySqlSource(const MySqlSourceOptions& options)
    : CoordinatedSource(Coordination(options), std::make_unique<MySqlConnector>(options)) {}

void RegisterMySqlSource(Registry& registry) {
  registry.add_source("mysql", [](const ConfigNode& config, const PipelineContext& ctx) {
    return std::make_unique<MySqlSource>(ParseMySqlSourceOptions(config, ctx.pipeline_name));
  });
}

}  // namespace cdc::mysql
