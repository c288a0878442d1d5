// PgCatalog: what cdcd asks PostgreSQL's system catalogs, on a normal
// connection, with per-process caches.
//
// - Types by OID (pg_type, pg_enum): kind, array element, domain base,
//   enum labels and the type's name as format_type() prints it. Type
//   definitions are immutable for a given OID except enum labels (ALTER TYPE
//   ADD VALUE), so entries are cached until invalidate_type().
// - Column details of a relation as sent in a Relation message: type name with
//   typmod (format_type, e.g. "numeric(10,2)"), NOT NULL, the DEFAULT
//   expression, and the position of the column in the primary key. The
//   catalog is read *now*, not as of the change being decoded: a column
//   dropped or constraint changed since then reads as nullable / not a key.
//   pgoutput's own column list, types and typmods (from the historic
//   catalog) always win; only nullability, defaults and the key come from
//   here.
// - Tables matching the configured patterns, with their replica identity and
//   whether they have a primary key.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sources/postgres/pg_connection.h"
#include "sources/postgres/pgoutput_decoder.h"

namespace cdc::pg {

struct PgTypeInfo {
  uint32_t oid = 0;
  std::string name;     // format_type(oid, NULL): "integer", "public.mood", "integer[]"
  char typtype = 'b';   // b base, c composite, d domain, e enum, p pseudo, r range, m multirange
  char category = 'U';  // typcategory: 'A' for arrays
  uint32_t element_oid = 0;  // typelem (arrays)
  uint32_t base_oid = 0;     // typbasetype (domains)
  int32_t base_typmod = -1;  // typtypmod (domains)
  char delimiter = ',';  // typdelim of this type (an array's element delimiter is its element's)
  std::vector<std::string> enum_labels;  // in sort order
};

struct PgColumnDetail {
  std::string type_name;         // format_type(type oid, typmod)
  bool not_null = false;         // false when the column no longer exists
  int primary_key_position = 0;  // 1-based position in the primary key; 0 = not a key column
  // pg_get_expr of the column's DEFAULT ("0", "'n/a'::text", "now()"); nullopt without one.
  std::optional<std::string> default_expr;
};

struct PgTableInfo {
  std::string schema;
  std::string name;
  uint32_t oid = 0;
  char replica_identity = 'd';
  bool has_primary_key = false;
  std::string qualified() const { return schema + "." + name; }
};

class PgCatalog {
 public:
  explicit PgCatalog(PgConnection& conn) : conn_(conn) {}

  const PgTypeInfo& type(uint32_t oid);
  void invalidate_type(uint32_t oid) { types_.erase(oid); }

  // One entry per column of `rel`, in its order.
  std::vector<PgColumnDetail> columns(const RelationMsg& rel);

  // Ordinary and partitioned tables outside the system schemas.
  std::vector<PgTableInfo> tables();

 private:
  PgConnection& conn_;
  std::map<uint32_t, PgTypeInfo> types_;
};

// An array literal of text elements, for passing lists as one query parameter.
std::string TextArrayLiteral(const std::vector<std::string>& items);

}  // namespace cdc::pg
