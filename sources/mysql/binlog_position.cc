#include "sources/mysql/binlog_position.h"

#include <charconv>

#include "cdc/error.h"

namespace cdc::mysql {
namespace {

// The numeric extension of "name.000123"; 0 when there is none.
uint64_t FileNumber(const std::string& file) {
  size_t dot = file.rfind('.');
  if (dot == std::string::npos) return 0;
  uint64_t n = 0;
  auto [p, ec] = std::from_chars(file.data() + dot + 1, file.data() + file.size(), n);
  return ec == std::errc() && p == file.data() + file.size() ? n : 0;
}

}  // namespace

bool Before(const BinlogPosition& a, const BinlogPosition& b) {
  if (a.file != b.file) {
    uint64_t fa = FileNumber(a.file), fb = FileNumber(b.file);
    return fa != fb ? fa < fb : a.file < b.file;
  }
  return a.pos < b.pos;
}

std::optional<BinlogPosition> ParseBinlogPosition(const std::string& text) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  uint64_t pos = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data() + colon + 1, end, pos);
  if (ec != std::errc() || p != end) return std::nullopt;
  return BinlogPosition{text.substr(0, colon), pos};
}

StreamStart ParseStreamOffset(const Offset& offset) {
  auto pos = ParseBinlogPosition(offset.tx);
  if (!pos) {
    throw Error("mysql source: offset " + offset.debug_string() +
                " was not made by a mysql source (tx is not a binlog position like "
                "binlog.000042:1234)");
  }
  StreamStart s;
  s.position = *pos;
  s.skip = offset.index;
  // An event's offset may still hold its state deferred (shared by a transaction).
  const nlohmann::json state = offset.resolved_state();
  if (state.is_object() && state.contains("gtid")) {
    const auto& g = state["gtid"];
    if (!g.is_string()) {
      throw Error("mysql source: offset " + offset.debug_string() + ": state.gtid is not a string");
    }
    s.gtid = g.get<std::string>();
  }
  if (state.is_object() && state.contains("xa")) {
    const auto& xa = state["xa"];
    for (auto it = xa.begin(); xa.is_object() && it != xa.end(); ++it) {
      std::optional<BinlogPosition> at =
          it->is_string() ? ParseBinlogPosition(it->get<std::string>()) : std::nullopt;
      if (!at) {
        throw Error("mysql source: offset " + offset.debug_string() + ": state.xa." + it.key() +
                    " is not a binlog position");
      }
      s.prepared[it.key()] = *at;
    }
    if (!xa.is_object()) {
      throw Error("mysql source: offset " + offset.debug_string() + ": state.xa is not an object");
    }
  }
  return s;
}

Offset StreamOffset(const BinlogPosition& tx, uint64_t index, const std::string& gtid,
                    const PreparedXa& prepared) {
  Offset o;
  o.tx = tx.to_string();
  o.index = index;
  if (!gtid.empty()) o.state = {{"gtid", gtid}};
  if (!prepared.empty()) {
    nlohmann::json xa = nlohmann::json::object();
    for (const auto& [xid, at] : prepared) xa[xid] = at.to_string();
    o.state["xa"] = std::move(xa);
  }
  return o;
}

}  // namespace cdc::mysql
