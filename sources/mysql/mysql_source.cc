#include "sources/mysql/mysql_source.h"

namespace cdc::mysql {

MySqlSource::MySqlSource(const MySqlSourceOptions& options)
    : CoordinatedSource({options.context(), options.pipeline, options.snapshot},
                        std::make_unique<MySqlConnector>(options)) {}

void RegisterMySqlSource(Registry& registry) {
  registry.add_source("mysql", [](const ConfigNode& config, const PipelineContext& ctx) {
    return std::make_unique<MySqlSource>(ParseMySqlSourceOptions(config, ctx.pipeline_name));
  });
}

}  // namespace cdc::mysql
