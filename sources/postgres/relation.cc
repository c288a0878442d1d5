#include "sources/postgres/relation.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "cdc/error.h"

namespace cdc::pg {
namespace {

std::string Where(const Relation& r, size_t column) {
  return r.schema->id().schema + "." + r.schema->id().table + "." +
         r.schema->columns()[column].name;
}

void CheckWidth(const Relation& r, const Tuple& tuple) {
  if (tuple.size() != r.codecs.size()) {
    throw Error("pgoutput: tuple for " + r.schema->id().schema + "." + r.schema->id().table +
                " has " + std::to_string(tuple.size()) + " columns, its Relation message " +
                std::to_string(r.codecs.size()));
  }
}

Value Parse(const Relation& r, size_t i, const TupleValue& v) {
  if (v.kind == TupleValue::Kind::kBinary) {
    throw Error("pgoutput: binary value for " + Where(r, i) + " (cdcd never requests binary)");
  }
  try {
    return r.codecs[i].parse(v.data);
  } catch (const Error& e) {
    throw Error(std::string(e.what()) + " (column " + Where(r, i) + ", type " +
                r.schema->columns()[i].source_type + ")");
  }
}

// The rest of a default after its literal: nothing, or casts ("::text",
// "::character varying(10)", "::public.mood", "::integer[]"). Anything else
// (an operator, a second operand) makes the default an expression.
bool OnlyCasts(std::string_view rest) {
  while (!rest.empty()) {
    if (!rest.starts_with("::")) return false;
    rest.remove_prefix(2);
    size_t n = 0;
    while (n < rest.size() && (std::isalnum(static_cast<unsigned char>(rest[n])) ||
                               std::string_view(" _.\"(),[]").find(rest[n]) != rest.npos)) {
      ++n;
    }
    if (n == 0) return false;
    rest.remove_prefix(n);
  }
  return true;
}

// A quoted literal ('it''s') unescaped, when followed only by casts.
std::optional<std::string> QuotedLiteral(std::string_view expr) {
  std::string text;
  size_t i = 1;
  for (; i < expr.size(); ++i) {
    if (expr[i] != '\'') {
      text += expr[i];
    } else if (i + 1 < expr.size() && expr[i + 1] == '\'') {
      text += '\'';
      ++i;
    } else {
      break;
    }
  }
  if (i >= expr.size() || !OnlyCasts(expr.substr(i + 1))) return std::nullopt;
  return text;
}

// A bare numeric constant ("0", "1.50", "(-1.5)", "1e5").
bool IsNumber(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  bool digits = false;
  for (char c : s) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      digits = true;
    } else if (c != '.' && c != 'e' && c != 'E' && c != '-' && c != '+') {
      return false;
    }
  }
  return digits;
}

// The text a row would carry for a constant DEFAULT as pg_get_expr prints
// it, or nullopt for NULL and for expressions (function calls, operators).
std::optional<std::string> ConstantDefaultText(std::string_view expr) {
  if (expr.starts_with("'")) return QuotedLiteral(expr);
  // pgoutput's text form of booleans.
  if (expr == "true") return "t";
  if (expr == "false") return "f";
  if (expr.size() > 2 && expr.front() == '(' && expr.back() == ')') {
    expr = expr.substr(1, expr.size() - 2);
  }
  if (IsNumber(expr)) return std::string(expr);
  return std::nullopt;
}

// The column's constant DEFAULT as its codec parses it, or nullopt. Parsing
// as the stream's values are parsed makes the default exactly what a row
// holding it carries. A default cdcd cannot read only loses the "default"
// attribute Debezium would write, so it is logged, not an error.
std::optional<Value> ParseDefault(const ColumnCodec& codec, const std::string& where,
                                  const std::optional<std::string>& expr) {
  if (!expr) return std::nullopt;
  std::optional<std::string> text = ConstantDefaultText(*expr);
  if (!text) {
    spdlog::debug("{}: DEFAULT {} is not a constant; no default written", where, *expr);
    return std::nullopt;
  }
  try {
    return codec.parse(*text);
  } catch (const std::exception& e) {
    spdlog::debug("{}: DEFAULT {} not understood ({}); no default written", where, *expr, e.what());
    return std::nullopt;
  }
}

}  // namespace

Row Relation::DecodeOld(const Tuple& tuple, char kind) const {
  CheckWidth(*this, tuple);
  Row row;
  row.values.resize(tuple.size());
  for (size_t i = 0; i < tuple.size(); ++i) {
    const TupleValue& v = tuple[i];
    bool identity = kind == 'O' || message.columns[i].key;
    if (v.kind == TupleValue::Kind::kUnchangedToast ||
        (!identity && v.kind == TupleValue::Kind::kNull)) {
      // Not part of the image that was logged: absent, not null.
      row.missing.push_back(static_cast<uint32_t>(i));
    } else if (v.kind != TupleValue::Kind::kNull) {
      row.values[i] = Parse(*this, i, v);
    }
  }
  return row;
}

Row Relation::DecodeNew(const Tuple& tuple, const Tuple* old_full,
                        std::vector<std::string>& unchanged_toast) const {
  CheckWidth(*this, tuple);
  if (old_full) CheckWidth(*this, *old_full);
  Row row;
  row.values.resize(tuple.size());
  for (size_t i = 0; i < tuple.size(); ++i) {
    const TupleValue& v = tuple[i];
    if (v.kind == TupleValue::Kind::kNull) continue;
    if (v.kind != TupleValue::Kind::kUnchangedToast) {
      row.values[i] = Parse(*this, i, v);
      continue;
    }
    // Unchanged TOAST: the old full row (REPLICA IDENTITY FULL logs it
    // detoasted) has the value, which the update left as it was.
    if (old_full && (*old_full)[i].kind == TupleValue::Kind::kText) {
      row.values[i] = Parse(*this, i, (*old_full)[i]);
      continue;
    }
    unchanged_toast.push_back(schema->columns()[i].name);
    row.missing.push_back(static_cast<uint32_t>(i));
  }
  return row;
}

RelationPtr BuildRelation(const RelationMsg& message, const std::string& database, uint32_t version,
                          PgCatalog& catalog, PgTypeMap& types) {
  return BuildRelation(message, database, version, catalog.columns(message), types);
}

RelationPtr BuildRelation(const RelationMsg& message, const std::string& database, uint32_t version,
                          const std::vector<PgColumnDetail>& details, PgTypeMap& types) {
  if (details.size() != message.columns.size()) {
    throw Error("relation " + message.nspname + "." + message.relname + ": " +
                std::to_string(details.size()) + " column details for " +
                std::to_string(message.columns.size()) + " columns");
  }
  auto rel = std::make_shared<Relation>();
  rel->message = message;
  std::vector<Column> columns;
  std::vector<std::pair<int, size_t>> pk;  // (position in key, column index)
  std::vector<size_t> identity;
  for (size_t i = 0; i < message.columns.size(); ++i) {
    const RelationColumn& rc = message.columns[i];
    ColumnCodec codec;
    try {
      codec = types.resolve(rc.type_oid, rc.type_modifier);
    } catch (const Error&) {  // a lost catalog connection stays transient
      RethrowWithContext(
          "", " (column " + message.nspname + "." + message.relname + "." + rc.name + ")");
    }
    Column c = codec.column;
    c.name = rc.name;
    c.source_type = details[i].type_name;
    c.nullable = !details[i].not_null;
    c.default_value = ParseDefault(codec, message.nspname + "." + message.relname + "." + rc.name,
                                   details[i].default_expr);
    columns.push_back(c);
    rel->codecs.push_back(std::move(codec));
    if (details[i].primary_key_position > 0) pk.emplace_back(details[i].primary_key_position, i);
    if (rc.key) identity.push_back(i);
  }
  std::vector<size_t> key;
  if (!pk.empty()) {
    std::sort(pk.begin(), pk.end());
    for (auto& [pos, index] : pk) key.push_back(index);
  } else if (message.replica_identity == 'i') {
    key = identity;
  }
  rel->schema = std::make_shared<TableSchema>(TableId{database, message.nspname, message.relname},
                                              version, std::move(columns), std::move(key));
  return rel;
}

bool SameShape(const TableSchema& a, const TableSchema& b) {
  if (a.key_columns() != b.key_columns() || a.columns().size() != b.columns().size()) return false;
  for (size_t i = 0; i < a.columns().size(); ++i) {
    const Column& x = a.columns()[i];
    const Column& y = b.columns()[i];
    if (x.name != y.name || x.type != y.type || x.element_type != y.element_type ||
        x.source_type != y.source_type || x.nullable != y.nullable || x.length != y.length ||
        x.precision != y.precision || x.scale != y.scale || x.enum_values != y.enum_values ||
        x.default_value != y.default_value) {
      return false;
    }
  }
  return true;
}

}  // namespace cdc::pg
