// The PostgreSQL halves of the conformance captures (capture_processes.h):
// Debezium's PostgreSQL connector and cdcd's postgres source on one database,
// each with its own slot and publication.
#pragma once

#include <string>
#include <vector>

#include "tests/conformance/capture_processes.h"

namespace cdc::testing {

struct PgServer {
  std::string host, port, user, dbname, dsn;
};

// The slot (and publication) of `who` ("dbz" or "cdcd") for `side`; `tag`
// makes it unique to one test database.
std::string PgSlot(const std::string& who, const CaptureSide& side, const std::string& tag);

// Debezium's PostgreSQL connector reading `tables` with snapshot.mode=initial,
// defaults except where noted; offsets in `dir`.
std::string PostgresDebeziumProperties(const PgServer& pg, const CaptureSide& side,
                                       const std::vector<std::string>& tables,
                                       const std::string& tag, const std::string& dir);

// One postgres -> file pipeline (a list item under `pipelines:`).
std::string PostgresCdcdPipeline(const PgServer& pg, const CaptureSide& side,
                                 const std::vector<std::string>& tables, const std::string& tag,
                                 const std::string& out);

}  // namespace cdc::testing
