#include "tests/conformance/difference_report.h"

#include <algorithm>

namespace cdc::testing {
namespace {

std::string Describe(const CapturedRecord& r, bool schemas) {
  return r.topic + " key=" + ShowValue(r.key_payload(schemas), 40) + " op=" + r.op();
}

}  // namespace

void DifferenceReport::only_in(const std::string& side, const CapturedRecord& r, bool schemas) {
  ++count_;
  unmatched_.push_back("only in " + side + ": " + Describe(r, schemas) + " (record " +
                       std::to_string(r.index) + ")");
}

void DifferenceReport::order(const std::string& description) {
  ++count_;
  order_.push_back("order of ops differs: " + description);
}

void DifferenceReport::problem(const std::string& description) {
  ++count_;
  problems_.push_back(description);
}

void DifferenceReport::field(const CapturedRecord& cdcd_record, bool schemas,
                             const FieldDifference& d) {
  ++count_;
  auto [it, added] = groups_.try_emplace(d.path);
  FieldGroup& g = it->second;
  if (added) {
    group_order_.push_back(d.path);
    g.example = Describe(cdcd_record, schemas) + ": cdcd=" + ShowValue(d.cdcd) +
                " debezium=" + ShowValue(d.debezium);
  }
  ++g.count;
  g.topics.insert(cdcd_record.topic);
}

std::string DifferenceReport::text(size_t max_lines) const {
  std::vector<std::string> fields;
  for (const std::string& path : group_order_) {
    const FieldGroup& g = groups_.at(path);
    fields.push_back("field " + (path.empty() ? "(whole value)" : path) + ": " +
                     std::to_string(g.count) + " records in " + std::to_string(g.topics.size()) +
                     " topics, e.g. " + g.example);
  }
  // Each section gets a share of the lines, the field groups the rest.
  const size_t share = max_lines / 5;
  std::string out = title_ + ": " + std::to_string(count_) + " differences\n";
  size_t used = 0;
  const std::vector<std::string>* sections[] = {&problems_, &unmatched_, &order_, &fields};
  for (const std::vector<std::string>* section : sections) {
    const size_t room = section == &fields ? max_lines - std::min(used, max_lines) : share;
    for (size_t i = 0; i < section->size(); ++i) {
      if (i + 1 >= room && section->size() > room) {
        out += "  ... and " + std::to_string(section->size() - i) + " more like these\n";
        ++used;
        break;
      }
      out += "  " + (*section)[i] + "\n";
      ++used;
    }
  }
  return out;
}

}  // namespace cdc::testing
