#include "tests/conformance/record_matching.h"

#include <map>

namespace cdc::testing {
namespace {

// "topic\nkey" -> the ops of that key's records, in capture order.
using OpsByKey = std::map<std::string, std::vector<std::string>>;

std::string KeyOf(const CapturedRecord& r, bool schemas) {
  return r.topic + "\n" + r.key_identity(schemas);
}

// The identity of each record: "topic\nkey\nop\noccurrence".
std::vector<std::string> Identities(const std::vector<CapturedRecord>& records, bool schemas,
                                    OpsByKey& ops) {
  std::map<std::string, size_t> seen;
  std::vector<std::string> out;
  for (const CapturedRecord& r : records) {
    const std::string key = KeyOf(r, schemas);
    ops[key].push_back(r.op());
    const std::string id = key + "\n" + r.op();
    out.push_back(id + "\n" + std::to_string(seen[id]++));
  }
  return out;
}

std::string JoinOps(const std::vector<std::string>& ops) {
  std::string out;
  for (const std::string& op : ops) out += (out.empty() ? "" : " ") + op;
  return "[" + out + "]";
}

std::vector<std::string> OrderDifferences(const OpsByKey& cdcd, const OpsByKey& debezium) {
  std::vector<std::string> out;
  for (const auto& [key, ops] : cdcd) {
    auto it = debezium.find(key);
    if (it == debezium.end() || it->second == ops) continue;
    std::string where = key;
    where[where.find('\n')] = ' ';
    out.push_back(where + ": cdcd " + JoinOps(ops) + ", Debezium " + JoinOps(it->second));
  }
  return out;
}

}  // namespace

RecordMatching MatchRecords(const std::vector<CapturedRecord>& cdcd,
                            const std::vector<CapturedRecord>& debezium, bool schemas) {
  OpsByKey cdcd_ops, debezium_ops;
  const std::vector<std::string> c = Identities(cdcd, schemas, cdcd_ops);
  const std::vector<std::string> d = Identities(debezium, schemas, debezium_ops);
  std::map<std::string, size_t> debezium_at;
  for (size_t i = 0; i < d.size(); ++i) debezium_at[d[i]] = i;

  RecordMatching m;
  std::vector<bool> paired(d.size(), false);
  for (size_t i = 0; i < c.size(); ++i) {
    auto it = debezium_at.find(c[i]);
    if (it == debezium_at.end()) {
      m.only_cdcd.push_back(i);
    } else {
      m.pairs.emplace_back(i, it->second);
      paired[it->second] = true;
    }
  }
  for (size_t i = 0; i < d.size(); ++i) {
    if (!paired[i]) m.only_debezium.push_back(i);
  }
  m.order_differences = OrderDifferences(cdcd_ops, debezium_ops);
  return m;
}

}  // namespace cdc::testing
