// PostgresSource: a Source reading one PostgreSQL database through a logical
// replication slot with the built-in pgoutput plugin (protocol version 1).
// The PostgreSQL pieces are PostgresConnector's (postgres_connector.h: checks,
// publication, slot, exported-snapshot points, the pgoutput stream); snapshot
// modes, initial and incremental snapshots and the offsets' state are the
// shared SourceCoordinator's (cdc/coordinated_source.h). Config:
// PostgresSourceOptions.
#pragma once

#include "cdc/coordinated_source.h"
#include "cdc/registry.h"
#include "sources/postgres/postgres_connector.h"
#include "sources/postgres/postgres_options.h"

namespace cdc::pg {

class PostgresSource : public CoordinatedSource {
 public:
  explicit PostgresSource(const PostgresSourceOptions& options);

  const PostgresSourceOptions& options() const { return pg().options(); }
  // The LSN last acknowledged (what status updates report as flushed).
  Lsn acknowledged_lsn() const { return pg().acknowledged_lsn(); }

 private:
  const PostgresConnector& pg() const { return static_cast<const PostgresConnector&>(connector()); }
};

void RegisterPostgresSource(Registry& registry);

}  // namespace cdc::pg

namespace cdc {
using pg::RegisterPostgresSource;
}  // namespace cdc
