#include "sources/mysql/gtid.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "cdc/error.h"

namespace cdc::mysql {
namespace {

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

template <typename T>
bool ParseNumber(std::string_view s, T& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool LooksLikeUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

void PutLe(std::string& out, uint64_t value) {
  for (int i = 0; i < 8; ++i) out += static_cast<char>((value >> (8 * i)) & 0xff);
}

int HexValue(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(c) - 'a' + 10;
}

}  // namespace

MariaGtidState MariaGtidState::Parse(std::string_view text) {
  MariaGtidState st;
  text = Trim(text);
  if (text.empty()) return st;
  for (std::string_view item : Split(text, ',')) {
    std::vector<std::string_view> parts = Split(Trim(item), '-');
    uint32_t domain = 0, server = 0;
    uint64_t seq = 0;
    if (parts.size() != 3 || !ParseNumber(parts[0], domain) || !ParseNumber(parts[1], server) ||
        !ParseNumber(parts[2], seq)) {
      throw Error("not a MariaDB GTID position: '" + std::string(text) +
                  "' (expected domain-server-sequence, comma-separated)");
    }
    st.add(domain, server, seq);
  }
  return st;
}

void MariaGtidState::add(uint32_t domain, uint32_t server, uint64_t seq) {
  domains_[domain] = {server, seq};
}

std::string MariaGtidState::to_string() const {
  std::string out;
  for (const auto& [domain, sv] : domains_) {
    if (!out.empty()) out += ',';
    out += std::to_string(domain) + "-" + std::to_string(sv.first) + "-" +
           std::to_string(sv.second);
  }
  return out;
}

MySqlGtidSet MySqlGtidSet::Parse(std::string_view text) {
  MySqlGtidSet set;
  auto bad = [&] {
    return Error("not a MySQL GTID set: '" + std::string(text) +
                 "' (expected uuid[:tag]:n[-m][:...], comma-separated)");
  };
  text = Trim(text);
  if (text.empty()) return set;
  for (std::string_view item : Split(text, ',')) {
    std::vector<std::string_view> parts = Split(Trim(item), ':');
    if (parts.size() < 2 || !LooksLikeUuid(parts[0])) throw bad();
    std::string uuid(parts[0]);
    std::transform(uuid.begin(), uuid.end(), uuid.begin(), ::tolower);
    std::string tag;
    for (size_t i = 1; i < parts.size(); ++i) {
      std::string_view p = parts[i];
      if (!p.empty() && !std::isdigit(static_cast<unsigned char>(p[0]))) {
        tag = std::string(p);  // MySQL 8.3+: a tag applies to the intervals after it
        continue;
      }
      std::vector<std::string_view> range = Split(p, '-');
      int64_t a = 0, b = 0;
      if (range.size() > 2 || !ParseNumber(range[0], a) ||
          (range.size() == 2 && !ParseNumber(range[1], b)) || a < 1) {
        throw bad();
      }
      if (range.size() == 1) b = a;
      if (b < a) throw bad();
      set.insert(uuid, tag, a, b);
    }
  }
  return set;
}

void MySqlGtidSet::add(const std::string& uuid, const std::string& tag, int64_t gno) {
  auto& iv = sets_[{uuid, tag}];
  // Usually gno extends the last interval: check that first.
  if (!iv.empty() && iv.back().second + 1 == gno) {
    iv.back().second = gno;
    return;
  }
  insert(uuid, tag, gno, gno);
}

void MySqlGtidSet::insert(const std::string& uuid, const std::string& tag, int64_t first,
                          int64_t last) {
  auto& iv = sets_[{uuid, tag}];
  iv.emplace_back(first, last);
  std::sort(iv.begin(), iv.end());
  std::vector<std::pair<int64_t, int64_t>> merged;
  for (const auto& r : iv) {
    if (!merged.empty() && r.first <= merged.back().second + 1) {
      merged.back().second = std::max(merged.back().second, r.second);
    } else {
      merged.push_back(r);
    }
  }
  iv = std::move(merged);
}

bool MySqlGtidSet::contains(const std::string& uuid, const std::string& tag, int64_t gno) const {
  auto it = sets_.find({uuid, tag});
  if (it == sets_.end()) return false;
  for (const auto& [a, b] : it->second) {
    if (gno >= a && gno <= b) return true;
  }
  return false;
}

std::string MySqlGtidSet::to_string() const {
  std::string out;
  std::string last_uuid;
  for (const auto& [key, intervals] : sets_) {
    const auto& [uuid, tag] = key;
    if (uuid != last_uuid) {
      if (!out.empty()) out += ',';
      out += uuid;
      last_uuid = uuid;
    }
    if (!tag.empty()) out += ":" + tag;
    for (const auto& [a, b] : intervals) {
      out += ":" + std::to_string(a);
      if (b != a) out += "-" + std::to_string(b);
    }
  }
  return out;
}

std::string MySqlGtidSet::encode() const {
  std::string out;
  PutLe(out, sets_.size());
  for (const auto& [key, intervals] : sets_) {
    const auto& [uuid, tag] = key;
    if (!tag.empty()) {
      throw Error("GTID " + uuid + ":" + tag + ": tagged GTIDs cannot be sent to the server yet");
    }
    for (size_t i = 0; i < uuid.size(); ++i) {
      if (uuid[i] == '-') continue;
      out += static_cast<char>(HexValue(uuid[i]) << 4 | HexValue(uuid[i + 1]));
      ++i;
    }
    PutLe(out, intervals.size());
    for (const auto& [first, last] : intervals) {
      PutLe(out, static_cast<uint64_t>(first));
      PutLe(out, static_cast<uint64_t>(last) + 1);  // the wire form is end-exclusive
    }
  }
  return out;
}

}  // namespace cdc::mysql
