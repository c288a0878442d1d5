#include "sources/postgres/slot_manager.h"

#include <thread>

namespace cdc::pg {

void CheckServer(PgConnection& conn) {
  PgResult r = conn.exec(
      "SELECT current_setting('wal_level'), r.rolname, r.rolreplication OR r.rolsuper, "
      "current_database() FROM pg_roles r WHERE r.rolname = current_user",
      "checking server settings");
  if (r.rows() != 1) throw Error(conn.context() + ": cannot read the current role from pg_roles");
  std::string wal_level = r.get(0, 0);
  if (wal_level != "logical") {
    throw Error(conn.context() + ": wal_level is '" + wal_level +
                "' but logical decoding needs 'logical': set wal_level = logical in "
                "postgresql.conf (or ALTER SYSTEM SET wal_level = logical) and restart the "
                "server");
  }
  if (r.get(0, 2) != "t") {
    throw Error(conn.context() + ": role " + r.get(0, 1) +
                " lacks the REPLICATION attribute needed for a replication slot: run ALTER ROLE " +
                conn.quote_ident(r.get(0, 1)) + " WITH REPLICATION as a superuser");
  }
}

SlotState PrepareSlot(PgConnection& catalog, PgConnection& replication, const std::string& slot,
                      bool have_offset, std::chrono::milliseconds busy_wait) {
  const auto deadline = std::chrono::steady_clock::now() + busy_wait;
  while (true) {
    PgResult r = catalog.exec_params(
        "SELECT plugin, database = current_database(), wal_status, active_pid, "
        "confirmed_flush_lsn, slot_type, database FROM pg_replication_slots WHERE slot_name = $1",
        {slot}, "looking up replication slot " + slot);
    if (r.rows() == 0) {
      if (have_offset) {
        throw Error(catalog.context() + ": replication slot " + slot +
                    " does not exist, but the sink has a committed offset: the changes since "
                    "that offset are gone with the slot. To start over, remove the sink's "
                    "committed offset (and its data) and run again with a snapshot");
      }
      PgResult c = replication.exec("CREATE_REPLICATION_SLOT " + replication.quote_ident(slot) +
                                        " LOGICAL pgoutput NOEXPORT_SNAPSHOT",
                                    "creating replication slot " + slot);
      SlotState s;
      s.created = true;
      s.consistent_point = ParseLsn(c.get(0, 1)).value_or(0);
      s.confirmed_flush = s.consistent_point;
      return s;
    }
    if (r.get(0, 5) != "logical" || r.get(0, 0) != "pgoutput") {
      throw Error(catalog.context() + ": replication slot " + slot + " exists but is a " +
                  r.get(0, 5) + " slot with plugin '" + r.get(0, 0) +
                  "'; cdcd needs a logical pgoutput slot: choose another `slot` name");
    }
    if (r.get(0, 1) != "t") {
      throw Error(catalog.context() + ": replication slot " + slot + " belongs to database " +
                  r.get(0, 6) + ", not this one: choose another `slot` name");
    }
    if (r.get(0, 2) == "lost") {
      throw Error(catalog.context() + ": replication slot " + slot +
                  " was invalidated by the server (wal_status lost: it fell behind by more than "
                  "max_slot_wal_keep_size) and the WAL it needed is gone. Drop it "
                  "(SELECT pg_drop_replication_slot('" +
                  slot + "')), remove the sink's committed offset and start again with a snapshot");
    }
    if (!r.is_null(0, 3)) {
      if (std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        continue;
      }
      throw HeldElsewhereError(
          catalog.context() + ": replication slot " + slot + " is in use by another process (PID " +
          r.get(0, 3) +
          "): another cdcd or logical replication client is reading it. Stop that "
          "client, or give this pipeline its own `slot`");
    }
    SlotState s;
    s.confirmed_flush = ParseLsn(r.get(0, 4)).value_or(0);
    return s;
  }
}

void DropSlot(PgConnection& catalog, const std::string& slot) {
  catalog.exec_params(
      "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1",
      {slot}, "dropping replication slot " + slot);
}

}  // namespace cdc::pg
