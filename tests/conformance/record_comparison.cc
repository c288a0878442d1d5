#include "tests/conformance/record_comparison.h"

namespace cdc::testing {
namespace {

using nlohmann::json;

const json& Member(const json& v, const char* name) {
  static const json kNull;
  if (!v.is_object()) return kNull;
  auto it = v.find(name);
  return it == v.end() ? kNull : *it;
}

}  // namespace

RecordContext ContextOf(const CapturedRecord& r, const std::set<std::string>& float32_columns) {
  const json& connector = Member(Member(Member(r.value, "payload"), "source"), "connector");
  const json& flat = Member(Member(r.value, "source"), "connector");
  const json& c = connector.is_string() ? connector : flat;
  return {r.op(), r.topic.substr(r.topic.rfind('.') + 1),
          c.is_string() ? c.get<std::string>() : std::string(), &float32_columns};
}

std::vector<FieldDifference> ValueDifferences(const json& cdcd, const json& debezium, bool schemas,
                                              const RecordContext& record) {
  std::vector<FieldDifference> all;
  if (schemas) {
    DiffJson(Member(cdcd, "schema"), Member(debezium, "schema"), "schema", all);
    DiffJson(Member(cdcd, "payload"), Member(debezium, "payload"), "", all);
  } else {
    DiffJson(cdcd, debezium, "", all);
  }
  std::vector<FieldDifference> out;
  for (FieldDifference& d : all) {
    if (!IsAllowedDifference(d, record)) out.push_back(std::move(d));
  }
  return out;
}

void CompareCaptures(const std::vector<CapturedRecord>& cdcd,
                     const std::vector<CapturedRecord>& debezium, bool schemas,
                     const std::set<std::string>& float32_columns, const RecordMatching& matching,
                     DifferenceReport& report) {
  for (size_t i : matching.only_cdcd) {
    if (!IsAllowedOnlyInCdcd(ContextOf(cdcd[i], float32_columns))) {
      report.only_in("cdcd", cdcd[i], schemas);
    }
  }
  for (size_t i : matching.only_debezium) report.only_in("Debezium", debezium[i], schemas);
  for (const std::string& o : matching.order_differences) report.order(o);
  for (const auto& [ci, di] : matching.pairs) {
    const CapturedRecord& c = cdcd[ci];
    const CapturedRecord& d = debezium[di];
    std::vector<FieldDifference> diffs;
    // The key's payload matched; its schema is compared here.
    if (schemas) DiffJson(Member(c.key, "schema"), Member(d.key, "schema"), "key.schema", diffs);
    for (FieldDifference& f :
         ValueDifferences(c.value, d.value, schemas, ContextOf(c, float32_columns))) {
      diffs.push_back(std::move(f));
    }
    for (const FieldDifference& f : diffs) report.field(c, schemas, f);
  }
}

}  // namespace cdc::testing
