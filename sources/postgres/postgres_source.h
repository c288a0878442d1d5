// PostgresSource: a Source reading one PostgreSQL database through a logical
// replication slot with the built-in pgoutput plugin (protocol version 1).
// The PostgreSQL pieces are PostgresConnector's (postgres_connector.h: checks,
// publication, slot, exported-snapshot points, the pgoutput stream); snapshot
// modes, initial and incremental snapshots and the offsets' state are the
// shared SourceCoordinator's (cdc/source_coordinator.h). Config:
// PostgresSourceOptions.
#pragma once

#include <memory>

#include "cdc/registry.h"
#include "cdc/source.h"
#include "cdc/source_coordinator.h"
#include "sources/postgres/lsn.h"
#include "sources/postgres/postgres_connector.h"
#include "sources/postgres/postgres_options.h"

namespace cdc::pg {

class PostgresSource : public Source {
 public:
  explicit PostgresSource(PostgresSourceOptions options);
  ~PostgresSource() override;

  void run(const std::optional<Offset>& from, Emitter& out, std::stop_token stop) override;
  void acknowledge(const Offset& committed) override;
  std::string request_snapshot(const std::vector<std::string>& tables,
                               const std::string& where) override;
  SnapshotStatus snapshot_status() const override;

  const PostgresSourceOptions& options() const { return options_; }
  // The LSN last acknowledged (what status updates report as flushed).
  Lsn acknowledged_lsn() const { return connector_.acknowledged_lsn(); }

 private:
  PostgresSourceOptions options_;
  PostgresConnector connector_;
  SourceCoordinator coordinator_;
};

void RegisterPostgresSource(Registry& registry);

}  // namespace cdc::pg

namespace cdc {
using pg::RegisterPostgresSource;
}  // namespace cdc
