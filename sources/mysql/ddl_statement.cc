#include "sources/mysql/ddl_statement.h"

#include <cctype>

namespace cdc::mysql {
namespace {

// A tiny tokenizer: identifiers (bare or `quoted`), and single punctuation.
class Tokens {
 public:
  explicit Tokens(std::string_view s) : s_(s) {}

  // The next token; "" at the end. Quoted identifiers come back unquoted
  // with quoted() true.
  std::string next() {
    skip_space();
    quoted_ = false;
    if (i_ >= s_.size()) return "";
    char c = s_[i_];
    if (c == '`' || c == '"') {
      std::string out;
      for (++i_; i_ < s_.size(); ++i_) {
        if (s_[i_] == c) {
          if (i_ + 1 < s_.size() && s_[i_ + 1] == c) {
            out += c;
            ++i_;
            continue;
          }
          ++i_;
          break;
        }
        out += s_[i_];
      }
      quoted_ = true;
      return out;
    }
    if (IsWord(c)) {
      size_t start = i_;
      while (i_ < s_.size() && IsWord(s_[i_])) ++i_;
      return std::string(s_.substr(start, i_ - start));
    }
    ++i_;
    return std::string(1, c);
  }
  bool quoted() const { return quoted_; }
  std::string peek() {
    size_t save = i_;
    bool q = quoted_;
    std::string t = next();
    i_ = save;
    quoted_ = q;
    return t;
  }

 private:
  static bool IsWord(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
           static_cast<unsigned char>(c) >= 0x80;
  }
  void skip_space() {
    while (i_ < s_.size()) {
      if (std::isspace(static_cast<unsigned char>(s_[i_]))) {
        ++i_;
      } else if (s_.substr(i_, 2) == "/*") {
        size_t end = s_.find("*/", i_ + 2);
        i_ = end == std::string_view::npos ? s_.size() : end + 2;
      } else if (s_.substr(i_, 2) == "--" || s_[i_] == '#') {
        size_t end = s_.find('\n', i_);
        i_ = end == std::string_view::npos ? s_.size() : end + 1;
      } else {
        break;
      }
    }
  }
  std::string_view s_;
  size_t i_ = 0;
  bool quoted_ = false;
};

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Reads "name" or "db.name" at the cursor.
std::pair<std::string, std::string> ReadName(Tokens& t, const std::string& default_db) {
  std::string first = t.next();
  if (t.peek() == ".") {
    t.next();
    return {first, t.next()};
  }
  return {default_db, first};
}

// Skips "IF EXISTS" / "IF NOT EXISTS".
void SkipIfExists(Tokens& t) {
  if (Upper(t.peek()) != "IF") return;
  t.next();
  if (Upper(t.peek()) == "NOT") t.next();
  if (Upper(t.peek()) == "EXISTS") t.next();
}

}  // namespace

const char* DdlKindName(DdlStatement::Kind kind) {
  switch (kind) {
    case DdlStatement::Kind::kCreateTable:
      return "create_table";
    case DdlStatement::Kind::kAlterTable:
      return "alter_table";
    case DdlStatement::Kind::kDropTable:
      return "drop_table";
    case DdlStatement::Kind::kRenameTable:
      return "rename_table";
    case DdlStatement::Kind::kTruncate:
      return "truncate";
    case DdlStatement::Kind::kOther:
      break;
  }
  return "other";
}

DdlStatement ParseDdl(std::string_view query, const std::string& db) {
  DdlStatement out;
  Tokens t(query);
  const std::string verb = Upper(t.next());
  std::string w = Upper(t.next());
  // CREATE [OR REPLACE] [TEMPORARY] TABLE, DROP [TEMPORARY] TABLE, ALTER [ONLINE|IGNORE] TABLE
  while (w == "OR" || w == "REPLACE" || w == "TEMPORARY" || w == "ONLINE" || w == "IGNORE") {
    out.temporary |= w == "TEMPORARY";
    w = Upper(t.next());
  }
  if (verb == "TRUNCATE") {
    out.kind = DdlStatement::Kind::kTruncate;
    if (w == "TABLE") {
      out.tables.push_back(ReadName(t, db));
    } else {
      // TRUNCATE name: `w` was the name (or its database).
      Tokens again(query);
      again.next();
      out.tables.push_back(ReadName(again, db));
    }
    return out;
  }
  if (w == "TABLE" || (verb == "DROP" && w == "TABLES")) {
    if (verb == "CREATE") out.kind = DdlStatement::Kind::kCreateTable;
    if (verb == "ALTER") out.kind = DdlStatement::Kind::kAlterTable;
    if (verb == "DROP") out.kind = DdlStatement::Kind::kDropTable;
    if (verb == "RENAME") out.kind = DdlStatement::Kind::kRenameTable;
    SkipIfExists(t);
    out.tables.push_back(ReadName(t, db));
    // DROP TABLE a, b / RENAME TABLE a TO b, c TO d
    for (std::string sep = t.next(); !sep.empty(); sep = t.next()) {
      std::string s = Upper(sep);
      if (verb == "ALTER" && s == "RENAME") {
        std::string n = Upper(t.peek());
        if (n == "TO" || n == "AS") t.next();
        if (n == "TO" || n == "AS" || (n != "COLUMN" && n != "INDEX" && n != "KEY")) {
          out.tables.push_back(ReadName(t, db));
        }
        break;
      }
      if (verb == "ALTER" || verb == "CREATE") break;
      if (s == "," || s == "TO") {
        out.tables.push_back(ReadName(t, db));
      } else {
        break;
      }
    }
    if (out.kind != DdlStatement::Kind::kOther) return out;
  }
  // CREATE [UNIQUE|FULLTEXT|SPATIAL] INDEX i ON t / DROP INDEX i ON t
  out.kind = DdlStatement::Kind::kOther;
  out.tables.clear();
  for (std::string tok = w; !tok.empty(); tok = t.next()) {
    if (!t.quoted() && Upper(tok) == "ON" && (verb == "CREATE" || verb == "DROP")) {
      out.tables.push_back(ReadName(t, db));
      break;
    }
  }
  return out;
}

}  // namespace cdc::mysql
