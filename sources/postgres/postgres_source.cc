#include "sources/postgres/postgres_source.h"

namespace cdc::pg {
namespace {

CoordinatorOptions Coordination(const PostgresSourceOptions& o) {
  CoordinatorOptions c;
  c.context = "postgres source (pipeline " + o.pipeline + ")";
  c.snapshot.mode = o.snapshot;
  c.snapshot.workers = o.snapshot_workers;
  c.snapshot.chunk_size = o.snapshot_chunk_size;
  c.snapshot.key_columns = o.snapshot_key_columns;
  c.pipeline = o.pipeline;
  return c;
}

}  // namespace

PostgresSource::PostgresSource(PostgresSourceOptions options)
    : options_(std::move(options)),
      connector_(options_),
      coordinator_(Coordination(options_), connector_) {}

PostgresSource::~PostgresSource() = default;

void PostgresSource::run(const std::optional<Offset>& from, Emitter& out, std::stop_token stop) {
  coordinator_.run(from, out, stop);
}

void PostgresSource::acknowledge(const Offset& committed) {
  coordinator_.acknowledge(committed);
}

std::string PostgresSource::request_snapshot(const std::vector<std::string>& tables,
                                      const std::string& where) {
  return coordinator_.request_snapshot(tables, where);
}

SnapshotStatus PostgresSource::snapshot_status() const {
  return coordinator_.snapshot_status();
}

void RegisterPostgresSource(Registry& registry) {
  registry.add_source("postgres", [](const ConfigNode& config, const PipelineContext& ctx) {
    return std::make_unique<PostgresSource>(ParsePostgresSourceOptions(config, ctx.pipeline_name));
  });
}

}  // namespace cdc::pg
