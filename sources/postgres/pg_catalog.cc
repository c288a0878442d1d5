#include "sources/postgres/pg_catalog.h"

#include "sources/postgres/pg_type_parser.h"

namespace cdc::pg {

std::string TextArrayLiteral(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

const PgTypeInfo& PgCatalog::type(uint32_t oid) {
  auto it = types_.find(oid);
  if (it != types_.end()) return it->second;
  PgResult r = conn_.exec_params(
      "SELECT t.typtype, t.typcategory, t.typelem, t.typbasetype, t.typtypmod, t.typdelim, "
      "format_type(t.oid, NULL), "
      "ARRAY(SELECT e.enumlabel FROM pg_enum e WHERE e.enumtypid = t.oid "
      "ORDER BY e.enumsortorder)::text "
      "FROM pg_type t WHERE t.oid = $1",
      {std::to_string(oid)}, "reading type " + std::to_string(oid) + " from pg_type");
  if (r.rows() != 1) {
    throw Error(conn_.context() + ": type OID " + std::to_string(oid) +
                " not found in pg_type (dropped while cdcd was decoding it?)");
  }
  PgTypeInfo t;
  t.oid = oid;
  t.typtype = r.get(0, 0)[0];
  t.category = r.get(0, 1)[0];
  t.element_oid = static_cast<uint32_t>(std::stoul(r.get(0, 2)));
  t.base_oid = static_cast<uint32_t>(std::stoul(r.get(0, 3)));
  t.base_typmod = std::stoi(r.get(0, 4));
  t.delimiter = r.get(0, 5)[0];
  t.name = r.get(0, 6);
  Value labels = ParsePgArray(PgKind::kText, ',', r.get(0, 7));
  for (const Value& v : *labels.as<Array>().items) t.enum_labels.push_back(v.as<std::string>());
  return types_.emplace(oid, std::move(t)).first->second;
}

std::vector<PgColumnDetail> PgCatalog::columns(const RelationMsg& rel) {
  std::vector<std::string> names, oids, mods;
  for (const RelationColumn& c : rel.columns) {
    names.push_back(c.name);
    oids.push_back(std::to_string(c.type_oid));
    mods.push_back(std::to_string(c.type_modifier));
  }
  PgResult r = conn_.exec_params(
      "SELECT format_type(c.typ, c.mod), coalesce(a.attnotnull, false), coalesce(pk.ord, 0), "
      "  pg_get_expr(d.adbin, d.adrelid) "
      "FROM unnest($2::text[], $3::oid[], $4::int4[]) WITH ORDINALITY AS c(name, typ, mod, n) "
      "LEFT JOIN pg_attribute a ON a.attrelid = $1::oid AND a.attname = c.name "
      "  AND a.attnum > 0 AND NOT a.attisdropped "
      // Generated columns keep their expression in pg_attrdef too: not a default.
      "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
      "  AND a.attgenerated = '' "
      "LEFT JOIN (SELECT k.attnum, k.ord FROM pg_index i, "
      "  unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) "
      "  WHERE i.indrelid = $1::oid AND i.indisprimary) pk ON pk.attnum = a.attnum "
      "ORDER BY c.n",
      {std::to_string(rel.oid), TextArrayLiteral(names), TextArrayLiteral(oids),
       TextArrayLiteral(mods)},
      "reading columns of " + rel.nspname + "." + rel.relname);
  std::vector<PgColumnDetail> out(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    out[i].type_name = r.get(i, 0);
    out[i].not_null = r.get(i, 1) == "t";
    out[i].primary_key_position = std::stoi(r.get(i, 2));
    out[i].default_expr = r.get_opt(i, 3);
  }
  return out;
}

std::vector<PgTableInfo> PgCatalog::tables() {
  PgResult r = conn_.exec(
      "SELECT n.nspname, c.relname, c.oid, c.relreplident, "
      "EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) "
      "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition "
      "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
      "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%' "
      "ORDER BY 1, 2",
      "listing tables");
  std::vector<PgTableInfo> out;
  for (int i = 0; i < r.rows(); ++i) {
    PgTableInfo t;
    t.schema = r.get(i, 0);
    t.name = r.get(i, 1);
    t.oid = static_cast<uint32_t>(std::stoul(r.get(i, 2)));
    t.replica_identity = r.get(i, 3)[0];
    t.has_primary_key = r.get(i, 4) == "t";
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace cdc::pg
