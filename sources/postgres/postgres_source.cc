#include "sources/postgres/postgres_source.h"

namespace cdc::pg {
namespace {

CoordinatorOptions Coordination(const PostgresSourceOptions& o) {
  CoordinatorOptions c;
  c.context = "postgres source (pipeline " + o.pipeline + ")";
  c.snapshot = o.snapshot;
  c.pipeline = o.pipeline;
  return c;
}

}  // namespace

PostgresSource::PostgresSource(const PostgresSourceOptions& options)
    : CoordinatedSource(Coordination(options), std::make_unique<PostgresConnector>(options)) {}

void RegisterPostgresSource(Registry& registry) {
  registry.add_source("postgres", [](const ConfigNode& config, const PipelineContext& ctx) {
    return std::make_unique<PostgresSource>(ParsePostgresSourceOptions(config, ctx.pipeline_name));
  });
}

}  // namespace cdc::pg
