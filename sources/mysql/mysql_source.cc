#include "sources/mysql/mysql_source.h"

namespace cdc::mysql {
namespace {

CoordinatorOptions Coordination(const MySqlSourceOptions& o) {
  CoordinatorOptions c;
  c.context = o.context();
  c.snapshot.mode = o.snapshot;
  c.snapshot.workers = o.snapshot_workers;
  c.snapshot.chunk_size = o.snapshot_chunk_size;
  c.snapshot.key_columns = o.snapshot_key_columns;
  c.pipeline = o.pipeline;
  return c;
}

}  // namespace

MySqlSource::MySqlSource(MySqlSourceOptions options)
    : options_(std::move(options)),
      connector_(options_),
      coordinator_(Coordination(options_), connector_) {}

MySqlSource::~MySqlSource() = default;

void MySqlSource::run(const std::optional<Offset>& from, Emitter& out, std::stop_token stop) {
  coordinator_.run(from, out, stop);
}

void MySqlSource::acknowledge(const Offset& committed) {
  coordinator_.acknowledge(committed);
}

std::string MySqlSource::request_snapshot(const std::vector<std::string>& tables,
                                      const std::string& where) {
  return coordinator_.request_snapshot(tables, where);
}

SnapshotStatus MySqlSource::snapshot_status() const {
  return coordinator_.snapshot_status();
}

void RegisterMySqlSource(Registry& registry) {
  registry.add_source("mysql", [](const ConfigNode& config, const PipelineContext& ctx) {
    return std::make_unique<MySqlSource>(ParseMySqlSourceOptions(config, ctx.pipeline_name));
  });
}

}  // namespace cdc::mysql
