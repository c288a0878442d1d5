#include "cdc/table_pattern.h"

namespace cdc {

bool GlobMatch(std::string_view p, std::string_view s) {
  // Iterative '*' matching that backtracks to the last star only: linear in
  // practice, never exponential.
  size_t pi = 0, si = 0;
  size_t star = std::string_view::npos, resume = 0;
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      resume = si;
    } else if (pi < p.size() && p[pi] == s[si]) {
      ++pi;
      ++si;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      si = ++resume;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

bool TableSelected(const std::vector<std::string>& include, const std::vector<std::string>& exclude,
                   std::string_view qualified) {
  bool in = include.empty();
  for (const std::string& p : include) in = in || GlobMatch(p, qualified);
  if (!in) return false;
  for (const std::string& p : exclude) {
    if (GlobMatch(p, qualified)) return false;
  }
  return true;
}

bool TableNameMatches(std::string_view table, std::string_view name) {
  if (name.empty() || name.size() > table.size()) return false;
  if (table.compare(table.size() - name.size(), name.size(), name) != 0) return false;
  return name.size() == table.size() || table[table.size() - name.size() - 1] == '.';
}

}  // namespace cdc
