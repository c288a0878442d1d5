// SlotManager: start-up checks of the server and the replication slot's life.
//
// CheckServer(): wal_level must be logical and the user must have REPLICATION
// (or be superuser); each failure says what to set.
//
// PrepareSlot(): makes sure the logical slot exists, uses pgoutput, belongs to
// this database, is not invalidated and is free. A missing slot is created
// (on the replication connection, so the slot starts at a consistent point)
// only when cdcd has no committed offset yet; with an offset, a missing slot
// means the WAL since that offset is gone, and cdcd stops with a message
// instead of silently skipping changes. A slot held by another process is
// waited for briefly (a killed cdcd's walsender needs a moment to notice),
// then reported.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "sources/postgres/lsn.h"
#include "sources/postgres/pg_connection.h"

namespace cdc::pg {

void CheckServer(PgConnection& conn);

struct SlotState {
  bool created = false;  // created by this call
  Lsn confirmed_flush = 0;
  Lsn consistent_point = 0;  // when created
};

SlotState PrepareSlot(PgConnection& catalog, PgConnection& replication, const std::string& slot,
                      bool have_offset, std::chrono::milliseconds busy_wait);

// Drops the slot if it exists (drop_slot_on_stop, tests).
void DropSlot(PgConnection& catalog, const std::string& slot);

}  // namespace cdc::pg
