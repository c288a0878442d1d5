#include "sources/postgres/postgres_source.h"

namespace cdc::pg {

PostgresSource::PostgresSource(const PostgresSourceOptions& options)
    : CoordinatedSource({"postgres source (pipeline " + options.pipeline + ")", options.pipeline,
                         options.snapshot},
                        std::make_unique<PostgresConnector>(options)) {}

void RegisterPostgresSource(Registry& registry) {
  registry.add_source("postgres", [](const ConfigNode& config, const PipelineContext& ctx) {
    return std::make_unique<PostgresSource>(ParsePostgresSourceOptions(config, ctx.pipeline_name));
  });
}

}  // namespace cdc::pg
