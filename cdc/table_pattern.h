// Table patterns: the `tables` / `exclude_tables` lists of source configs.
//
// A pattern is matched against a table's qualified name ("schema.table" for
// PostgreSQL, "database.table" for MySQL); '*' matches any run of characters
// (dots included), every other character matches itself, case-sensitively.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cdc {

// True when `text` matches `pattern` as a whole.
bool GlobMatch(std::string_view pattern, std::string_view text);

// True when `qualified` matches one of `include` (or `include` is empty) and
// none of `exclude`.
bool TableSelected(const std::vector<std::string>& include, const std::vector<std::string>& exclude,
                   std::string_view qualified);

// True when `name`'s dot-separated parts are the last parts of `table`
// ("public.orders" and "orders" both match "shop.public.orders"): how a
// user's table name finds a qualified one.
bool TableNameMatches(std::string_view table, std::string_view name);

}  // namespace cdc
