// Relation: one published table as the stream describes it — its TableSchema
// and the codecs that turn its TupleData into Rows.
//
// Built from a pgoutput Relation message (column names, type OIDs, typmods,
// replica identity flags: the decoding-time truth) plus the catalog
// (nullability, primary key, type names with typmod). Key columns are the
// primary key's, in key order; without a primary key, the replica identity
// index's columns (REPLICA IDENTITY USING INDEX); otherwise none (events get a
// null key).
//
// Row images and unchanged TOAST (pgoutput's 'u'): a value that was stored
// out of line and not modified by an UPDATE is not sent. It must never look
// like data, so DecodeNew() fills it from the old full row when the update
// carries one (REPLICA IDENTITY FULL), and otherwise marks the column
// missing in the Row (formats write a placeholder or leave it out) and adds
// its name to `unchanged_toast` for the event's source block. Old images of kind 'K'
// hold only the replica identity columns: every other column is marked
// missing, never null.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cdc/change_event.h"
#include "sources/postgres/pg_catalog.h"
#include "sources/postgres/pg_type_map.h"
#include "sources/postgres/pgoutput_decoder.h"

namespace cdc::pg {

struct Relation {
  RelationMsg message;
  TableSchemaPtr schema;
  std::vector<ColumnCodec> codecs;  // aligned with schema->columns()

  // The old image of an Update/Delete. `kind` is 'K' or 'O'.
  Row DecodeOld(const Tuple& tuple, char kind) const;
  // The new image of an Insert/Update; `old_full` is the old row of an
  // Update under REPLICA IDENTITY FULL, or null.
  Row DecodeNew(const Tuple& tuple, const Tuple* old_full,
                std::vector<std::string>& unchanged_toast) const;
};

using RelationPtr = std::shared_ptr<const Relation>;

// Builds the relation; `version` is the schema version to assign. The
// columns' details come from `catalog` (one query), or are given, one per
// column of `message` (read for many tables at once by a snapshot's plan).
RelationPtr BuildRelation(const RelationMsg& message, const std::string& database, uint32_t version,
                          PgCatalog& catalog, PgTypeMap& types);
RelationPtr BuildRelation(const RelationMsg& message, const std::string& database, uint32_t version,
                          const std::vector<PgColumnDetail>& details, PgTypeMap& types);

// True when two schemas present rows the same way (columns, types, keys,
// defaults), i.e. a new Relation message changed nothing cdcd shows. A new
// DEFAULT changes the Debezium field schema, so it makes a new version.
bool SameShape(const TableSchema& a, const TableSchema& b);

}  // namespace cdc::pg
