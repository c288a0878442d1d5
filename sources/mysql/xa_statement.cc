#include "sources/mysql/xa_statement.h"

#include <cctype>
#include <optional>

#include "cdc/error.h"
#include "sources/mysql/byte_cursor.h"

namespace cdc::mysql {
namespace {

// A cursor over the statement's text: words, XID parts, blanks.
class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}

  void blanks() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool done() {
    blanks();
    return i_ >= s_.size();
  }
  // The next word, upper-cased ("" at the end or before a non-letter).
  std::string word() {
    blanks();
    std::string w;
    while (i_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[i_]))) {
      w += static_cast<char>(std::toupper(static_cast<unsigned char>(s_[i_++])));
    }
    return w;
  }
  bool comma() {
    blanks();
    if (i_ < s_.size() && s_[i_] == ',') return ++i_, true;
    return false;
  }
  // 'text' (with '' and \ escapes), X'hex' or 0xhex, as bytes.
  std::optional<std::string> bytes() {
    blanks();
    if (i_ < s_.size() && s_[i_] == '\'') return quoted();
    if (i_ + 1 < s_.size() && (s_[i_] == 'X' || s_[i_] == 'x') && s_[i_ + 1] == '\'') {
      ++i_;
      std::optional<std::string> hex = quoted();
      return hex ? Unhex(*hex) : std::nullopt;
    }
    if (i_ + 1 < s_.size() && s_[i_] == '0' && (s_[i_ + 1] == 'x' || s_[i_ + 1] == 'X')) {
      i_ += 2;
      const size_t start = i_;
      while (i_ < s_.size() && std::isxdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
      return Unhex(s_.substr(start, i_ - start));
    }
    return std::nullopt;
  }
  std::optional<uint64_t> number() {
    blanks();
    const size_t start = i_;
    while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
    if (i_ == start || i_ - start > 19) return std::nullopt;
    return std::stoull(std::string(s_.substr(start, i_ - start)));
  }

 private:
  std::optional<std::string> quoted() {
    ++i_;  // the opening quote
    std::string out;
    while (i_ < s_.size()) {
      const char c = s_[i_++];
      if (c == '\\' && i_ < s_.size()) {
        out += s_[i_++];
      } else if (c == '\'') {
        if (i_ < s_.size() && s_[i_] == '\'') {
          out += s_[i_++];
        } else {
          return out;
        }
      } else {
        out += c;
      }
    }
    return std::nullopt;  // unterminated
  }
  static std::optional<std::string> Unhex(std::string_view hex) {
    if (hex.size() % 2) return std::nullopt;
    std::string out;
    for (size_t j = 0; j < hex.size(); j += 2) {
      const std::string byte(hex.substr(j, 2));
      if (!std::isxdigit(static_cast<unsigned char>(byte[0])) ||
          !std::isxdigit(static_cast<unsigned char>(byte[1]))) {
        return std::nullopt;
      }
      out += static_cast<char>(std::stoi(byte, nullptr, 16));
    }
    return out;
  }

  std::string_view s_;
  size_t i_ = 0;
};

// gtrid [, bqual [, formatID]]
std::optional<std::string> ReadXid(Reader& r) {
  std::optional<std::string> gtrid = r.bytes();
  if (!gtrid) return std::nullopt;
  std::string bqual;
  int64_t format_id = 1;
  if (r.comma()) {
    std::optional<std::string> b = r.bytes();
    if (!b) return std::nullopt;
    bqual = *b;
    if (r.comma()) {
      std::optional<uint64_t> f = r.number();
      if (!f) return std::nullopt;
      format_id = static_cast<int64_t>(*f);
    }
  }
  return CanonicalXid(format_id, *gtrid, bqual);
}

}  // namespace

std::string CanonicalXid(int64_t format_id, std::string_view gtrid, std::string_view bqual) {
  auto hex = [](std::string_view bytes) {
    std::string out = "X'";
    for (unsigned char c : bytes) out += ByteCursor::Hex(c);
    return out + "'";
  };
  return hex(gtrid) + "," + hex(bqual) + "," + std::to_string(format_id);
}

XaStatement ParseXaStatement(std::string_view query) {
  Reader r(query);
  XaStatement out;
  if (r.word() != "XA") return out;
  const std::string verb = r.word();
  XaStatement::Kind kind = XaStatement::Kind::kOther;
  if (verb == "START" || verb == "BEGIN") kind = XaStatement::Kind::kStart;
  if (verb == "END") kind = XaStatement::Kind::kEnd;
  if (verb == "PREPARE") kind = XaStatement::Kind::kPrepare;
  if (verb == "COMMIT") kind = XaStatement::Kind::kCommit;
  if (verb == "ROLLBACK") kind = XaStatement::Kind::kRollback;
  if (verb == "RECOVER") return {XaStatement::Kind::kRecover, "", false};
  if (kind == XaStatement::Kind::kOther) return out;
  std::optional<std::string> xid = ReadXid(r);
  if (!xid) return out;
  out.kind = kind;
  out.xid = *xid;
  if (kind == XaStatement::Kind::kCommit) {
    const std::string one = r.word(), phase = r.word();
    out.one_phase = one == "ONE" && phase == "PHASE";
  }
  return out;
}

XaPrepareEvent ParseXaPrepare(std::string_view body) {
  ByteCursor c(body);
  XaPrepareEvent e;
  e.one_phase = c.u8() != 0;
  const int32_t format_id = static_cast<int32_t>(c.u32());
  const uint32_t gtrid_length = c.u32();
  const uint32_t bqual_length = c.u32();
  if (gtrid_length > 64 || bqual_length > 64) {
    throw Error("XA_PREPARE event with an XID longer than 64 bytes (gtrid " +
                std::to_string(gtrid_length) + ", bqual " + std::to_string(bqual_length) + ")");
  }
  const std::string_view gtrid = c.bytes(gtrid_length, "XA gtrid");
  const std::string_view bqual = c.bytes(bqual_length, "XA bqual");
  e.xid = CanonicalXid(format_id, gtrid, bqual);
  return e;
}

}  // namespace cdc::mysql
