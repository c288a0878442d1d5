#include "sources/mysql/charset.h"

#include <iconv.h>
#include <mysql.h>
#include <spdlog/spdlog.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <mutex>
#include <span>
#include <unordered_map>
#include <unordered_set>

#include "cdc/error.h"

namespace cdc::mysql {

namespace {

enum class Kind { kUtf8, kBinary, kAscii, kSingleByte, kIconv };

// A byte whose code point in MariaDB's table differs from glibc's.
struct ByteOverride {
  uint8_t byte;
  char32_t cp;
};

// A code point glibc produces where MySQL's table has another one.
struct CodePointFix {
  char32_t from;
  char32_t to;
};

struct Spec {
  std::string_view name;
  Kind kind;
  const char* iconv_name = nullptr;
  std::span<const ByteOverride> overrides = {};
  std::span<const CodePointFix> fixes = {};
  // Bytes < 0x80 are always ASCII characters on their own (false for the
  // UCS encodings), so all-ASCII text needs no conversion.
  bool ascii_superset = true;
};

// MySQL's latin1 defines the five bytes cp1252 leaves undefined as C1 controls.
constexpr ByteOverride kLatin1[] = {
    {0x81, 0x81}, {0x8d, 0x8d}, {0x8f, 0x8f}, {0x90, 0x90}, {0x9d, 0x9d}};
// The rest: MariaDB's tables, where they differ from glibc's (ISO-8859-7:2003
// vs 1987, vendor variants), as the server converts them.
constexpr ByteOverride kGreek[] = {{0xa1, 0x02bd}, {0xa2, 0x02bc}};
constexpr ByteOverride kHebrew[] = {{0xaf, 0x203e}};
constexpr ByteOverride kCp866[] = {{0xfc, 0x207f}, {0xfd, 0x00b2}};
constexpr ByteOverride kKoi8u[] = {{0x95, 0x2022}};
constexpr ByteOverride kMacRoman[] = {{0xc6, 0x2206}, {0xf0, 0xf8ff}};
constexpr ByteOverride kArmscii8[] = {
    {0xa1, 0x2741}, {0xa2, 0x00a7}, {0xad, 0x055f}, {0xfe, 0x2019}, {0xff, 0x0027}};
constexpr ByteOverride kGeostd8[] = {{0x80, 0x20ac}, {0xfd, 0x2116}};
constexpr ByteOverride kDec8[] = {{0xa0, 0x00a0}};
constexpr ByteOverride kSwe7[] = {{0x24, 0x0024}};
constexpr ByteOverride kTis620[] = {
    {0x80, 0x80}, {0x81, 0x81}, {0x82, 0x82}, {0x83, 0x83}, {0x84, 0x84}, {0x85, 0x85},
    {0x86, 0x86}, {0x87, 0x87}, {0x88, 0x88}, {0x89, 0x89}, {0x8a, 0x8a}, {0x8b, 0x8b},
    {0x8c, 0x8c}, {0x8d, 0x8d}, {0x8e, 0x8e}, {0x8f, 0x8f}, {0x90, 0x90}, {0x91, 0x91},
    {0x92, 0x92}, {0x93, 0x93}, {0x94, 0x94}, {0x95, 0x95}, {0x96, 0x96}, {0x97, 0x97},
    {0x98, 0x98}, {0x99, 0x99}, {0x9a, 0x9a}, {0x9b, 0x9b}, {0x9c, 0x9c}, {0x9d, 0x9d},
    {0x9e, 0x9e}, {0x9f, 0x9f}};
// MySQL's sjis/ujis map these JIS X 0208 symbols to the plain code points;
// CP932/EUC-JP-MS use the fullwidth/compatibility ones.
constexpr CodePointFix kJis[] = {{0xff3c, 0x005c}, {0xff5e, 0x301c}, {0x2225, 0x2016},
                                 {0xff0d, 0x2212}, {0xffe0, 0x00a2}, {0xffe1, 0x00a3},
                                 {0xffe2, 0x00ac}};

const Spec kSpecs[] = {
    {"utf8mb4", Kind::kUtf8},
    {"utf8mb3", Kind::kUtf8},
    {"utf8", Kind::kUtf8},
    {"binary", Kind::kBinary},
    {"ascii", Kind::kAscii},
    {"latin1", Kind::kSingleByte, "CP1252", kLatin1},
    {"latin2", Kind::kSingleByte, "ISO-8859-2"},
    {"latin5", Kind::kSingleByte, "ISO-8859-9"},
    {"latin7", Kind::kSingleByte, "ISO-8859-13"},
    {"greek", Kind::kSingleByte, "ISO-8859-7", kGreek},
    {"hebrew", Kind::kSingleByte, "ISO-8859-8", kHebrew},
    {"cp1250", Kind::kSingleByte, "CP1250"},
    {"cp1251", Kind::kSingleByte, "CP1251"},
    {"cp1256", Kind::kSingleByte, "CP1256"},
    {"cp1257", Kind::kSingleByte, "CP1257"},
    {"cp850", Kind::kSingleByte, "CP850"},
    {"cp852", Kind::kSingleByte, "CP852"},
    {"cp866", Kind::kSingleByte, "CP866", kCp866},
    {"koi8r", Kind::kSingleByte, "KOI8-R"},
    {"koi8u", Kind::kSingleByte, "KOI8-U", kKoi8u},
    {"macroman", Kind::kSingleByte, "MACINTOSH", kMacRoman},
    {"macce", Kind::kSingleByte, "MAC-CENTRALEUROPE"},
    {"tis620", Kind::kSingleByte, "TIS-620", kTis620},
    {"armscii8", Kind::kSingleByte, "ARMSCII-8", kArmscii8},
    {"geostd8", Kind::kSingleByte, "GEORGIAN-PS", kGeostd8},
    {"hp8", Kind::kSingleByte, "HP-ROMAN8"},
    {"dec8", Kind::kSingleByte, "DEC-MCS", kDec8},
    {"swe7", Kind::kSingleByte, "ISO646-SE2", kSwe7},
    {"big5", Kind::kIconv, "BIG5"},
    {"sjis", Kind::kIconv, "CP932", {}, kJis},
    {"cp932", Kind::kIconv, "CP932"},
    {"ujis", Kind::kIconv, "EUC-JP-MS", {}, kJis},
    {"eucjpms", Kind::kIconv, "EUC-JP-MS"},
    {"gbk", Kind::kIconv, "GBK"},
    {"gb2312", Kind::kIconv, "EUC-CN"},
    {"gb18030", Kind::kIconv, "GB18030"},
    {"euckr", Kind::kIconv, "EUC-KR"},
    {"ucs2", Kind::kIconv, "UCS-2BE", {}, {}, false},
    {"utf16", Kind::kIconv, "UTF-16BE", {}, {}, false},
    {"utf16le", Kind::kIconv, "UTF-16LE", {}, {}, false},
    {"utf32", Kind::kIconv, "UTF-32BE", {}, {}, false},
};

constexpr char32_t kUndefined = 0xffffffff;
using ByteTable = std::array<char32_t, 256>;

const Spec* FindSpec(std::string_view charset) {
  for (const Spec& s : kSpecs) {
    if (s.name == charset) return &s;
  }
  return nullptr;
}

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | cp >> 6);
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | cp >> 12);
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | cp >> 18);
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

std::string Utf8Of(char32_t cp) {
  std::string s;
  AppendUtf8(s, cp);
  return s;
}

[[noreturn]] void ThrowInvalid(std::string_view charset, std::string_view text, size_t offset,
                               bool truncated) {
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02X", static_cast<uint8_t>(text[offset]));
  throw Error(std::string(truncated ? "truncated " : "invalid ") + std::string(charset) +
              " character at byte offset " + std::to_string(offset) + " (byte " + hex + ")");
}

// An iconv descriptor, closed with its owner.
class Iconv {
 public:
  explicit Iconv(const char* from) : cd_(iconv_open("UTF-8", from)) {}
  ~Iconv() {
    if (ok()) iconv_close(cd_);
  }
  Iconv(const Iconv&) = delete;
  Iconv& operator=(const Iconv&) = delete;
  bool ok() const { return cd_ != reinterpret_cast<iconv_t>(-1); }
  iconv_t get() const { return cd_; }

 private:
  iconv_t cd_;
};

// Converts with glibc; throws at the first byte glibc rejects.
std::string IconvToUtf8(iconv_t cd, std::string_view text, std::string_view charset) {
  iconv(cd, nullptr, nullptr, nullptr, nullptr);  // reset any shift state
  std::string out(text.size() * 2 + 16, '\0');
  char* in = const_cast<char*>(text.data());
  size_t in_left = text.size();
  size_t used = 0;
  while (in_left > 0) {
    char* o = out.data() + used;
    size_t o_left = out.size() - used;
    size_t r = iconv(cd, &in, &in_left, &o, &o_left);
    used = static_cast<size_t>(o - out.data());
    if (r != static_cast<size_t>(-1)) break;
    if (errno == E2BIG) {
      out.resize(out.size() * 2);
      continue;
    }
    ThrowInvalid(charset, text, static_cast<size_t>(in - text.data()), errno == EINVAL);
  }
  out.resize(used);
  return out;
}

// One descriptor per charset and thread: iconv_t keeps conversion state, so
// pipelines decoding in parallel must not share one.
iconv_t ThreadIconv(const Spec& spec) {
  thread_local std::unordered_map<std::string_view, std::unique_ptr<Iconv>> cache;
  auto& slot = cache[spec.name];
  if (!slot) slot = std::make_unique<Iconv>(spec.iconv_name);
  if (!slot->ok()) {
    throw Error("charset " + std::string(spec.name) + " has no converter (iconv lacks " +
                spec.iconv_name + ")");
  }
  return slot->get();
}

ByteTable BuildByteTable(const Spec& spec) {
  ByteTable table;
  table.fill(kUndefined);
  Iconv conv(spec.iconv_name);
  if (!conv.ok()) return table;  // stays all-undefined; conversion reports it
  for (int b = 0; b < 256; ++b) {
    char in = static_cast<char>(b);
    std::string utf8;
    try {
      utf8 = IconvToUtf8(conv.get(), std::string_view(&in, 1), spec.name);
    } catch (const Error&) {
      continue;
    }
    // Back to a code point: the output is one well-formed UTF-8 character.
    auto u = [&](size_t i) { return static_cast<char32_t>(static_cast<uint8_t>(utf8[i])); };
    if (utf8.size() == 1) table[b] = u(0);
    if (utf8.size() == 2) table[b] = (u(0) & 0x1f) << 6 | (u(1) & 0x3f);
    if (utf8.size() == 3) table[b] = (u(0) & 0x0f) << 12 | (u(1) & 0x3f) << 6 | (u(2) & 0x3f);
  }
  for (const ByteOverride& o : spec.overrides) table[o.byte] = o.cp;
  return table;
}

// Built once for all single-byte charsets (a few thousand iconv calls), then
// read-only and shared by every thread.
const ByteTable& SingleByteTable(const Spec& spec) {
  static const auto* tables = [] {
    auto* m = new std::unordered_map<std::string_view, ByteTable>();
    for (const Spec& s : kSpecs) {
      if (s.kind == Kind::kSingleByte) m->emplace(s.name, BuildByteTable(s));
    }
    return m;
  }();
  return tables->at(spec.name);
}

std::string SingleByteToUtf8(const Spec& spec, std::string_view text) {
  const ByteTable& table = SingleByteTable(spec);
  std::string out;
  out.reserve(text.size() + text.size() / 2);
  for (size_t i = 0; i < text.size(); ++i) {
    char32_t cp = table[static_cast<uint8_t>(text[i])];
    if (cp == kUndefined) ThrowInvalid(spec.name, text, i, false);
    AppendUtf8(out, cp);
  }
  return out;
}

void ReplaceAll(std::string& s, const std::string& from, const std::string& to) {
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
}

std::string MultiByteToUtf8(const Spec& spec, std::string_view text) {
  std::string out = IconvToUtf8(ThreadIconv(spec), text, spec.name);
  // UTF-8 is self-synchronising: a whole character's encoding only matches
  // at character boundaries, so byte-wise replacement is exact.
  for (const CodePointFix& f : spec.fixes) ReplaceAll(out, Utf8Of(f.from), Utf8Of(f.to));
  return out;
}

size_t FirstNonAscii(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (static_cast<uint8_t>(text[i]) >= 0x80) return i;
  }
  return std::string_view::npos;
}

void WarnUnknownCollationOnce(uint32_t collation) {
  static std::mutex mu;
  static std::unordered_set<uint32_t> warned;
  std::lock_guard lock(mu);
  if (warned.insert(collation).second) {
    spdlog::warn("MySQL collation id {} is unknown: its text passes through unconverted",
                 collation);
  }
}

}  // namespace

std::optional<std::string_view> CollationCharset(uint32_t collation) {
  const MARIADB_CHARSET_INFO* cs = mariadb_get_charset_by_nr(collation);
  if (!cs || !cs->csname) return std::nullopt;
  return std::string_view(cs->csname);
}

std::optional<uint32_t> CollationMaxBytesPerChar(uint32_t collation) {
  const MARIADB_CHARSET_INFO* cs = mariadb_get_charset_by_nr(collation);
  if (!cs || cs->char_maxlen == 0) return std::nullopt;
  return cs->char_maxlen;
}

std::string CharsetToUtf8(std::string_view text, std::string_view charset) {
  const Spec* spec = FindSpec(charset);
  if (!spec) throw Error("charset " + std::string(charset) + " has no converter to UTF-8");
  switch (spec->kind) {
    case Kind::kUtf8:
    case Kind::kBinary:
      return std::string(text);
    case Kind::kAscii:
      if (size_t bad = FirstNonAscii(text); bad != std::string_view::npos) {
        ThrowInvalid(charset, text, bad, false);
      }
      return std::string(text);
    case Kind::kSingleByte:
      return SingleByteToUtf8(*spec, text);
    case Kind::kIconv:
      if (spec->ascii_superset && FirstNonAscii(text) == std::string_view::npos) {
        return std::string(text);
      }
      return MultiByteToUtf8(*spec, text);
  }
  throw Error("charset " + std::string(charset) + ": bad converter kind");
}

std::string CollationToUtf8(std::string_view text, uint32_t collation) {
  std::optional<std::string_view> charset = CollationCharset(collation);
  if (!charset) {
    WarnUnknownCollationOnce(collation);
    return std::string(text);
  }
  return CharsetToUtf8(text, *charset);
}

}  // namespace cdc::mysql
