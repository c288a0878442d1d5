#include "tests/conformance/captured_record.h"

#include <fstream>
#include <stdexcept>

#include "tests/support/capture_util.h"

namespace cdc::testing {
namespace {

using nlohmann::json;

json ParseJson(const std::string& text, const std::string& what) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    throw std::runtime_error(what + " is not JSON (" + e.what() + "): " + text.substr(0, 200));
  }
}

CapturedRecord MakeRecord(size_t index, std::string topic, std::string key_text,
                          std::string value_text, const std::string& where) {
  CapturedRecord r;
  r.index = index;
  r.topic = std::move(topic);
  r.key_text = std::move(key_text);
  r.value_text = std::move(value_text);
  r.key = ParseJson(r.key_text, where + " key");
  r.value = ParseJson(r.value_text, where + " value");
  return r;
}

const json& Unwrap(const json& v, bool schemas) {
  static const json kNull;
  if (!schemas || v.is_null()) return v;
  auto it = v.find("payload");
  return it == v.end() ? kNull : *it;
}

}  // namespace

std::string CapturedRecord::op() const {
  if (tombstone()) return "tombstone";
  const json* p = &value;
  if (auto it = value.find("payload"); it != value.end()) p = &*it;
  auto op = p->find("op");
  return op != p->end() && op->is_string() ? op->get<std::string>() : "?";
}

const json& CapturedRecord::key_payload(bool schemas) const {
  return Unwrap(key, schemas);
}
const json& CapturedRecord::payload(bool schemas) const {
  return Unwrap(value, schemas);
}
std::string CapturedRecord::key_identity(bool schemas) const {
  return key_payload(schemas).dump();
}

std::vector<CapturedRecord> ReadCdcdCapture(const std::string& dir) {
  std::vector<CapturedRecord> out;
  for (const Record& r : CaptureRecords(dir)) {
    const std::string where = dir + " record " + std::to_string(out.size());
    out.push_back(
        MakeRecord(out.size(), r.topic, r.key.value_or("null"), r.value.value_or("null"), where));
  }
  return out;
}

std::vector<CapturedRecord> ReadDebeziumCapture(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read Debezium capture " + file);
  std::vector<CapturedRecord> out;
  size_t line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    const std::string where = file + ":" + std::to_string(line_no);
    json j = ParseJson(line, where);
    // The runner embeds the converter's text verbatim; re-dumping a parsed
    // value keeps what matters here (numbers as parsed, member order aside).
    out.push_back(MakeRecord(out.size(), j.at("topic").get<std::string>(), j.at("key").dump(),
                             j.at("value").dump(), where));
  }
  return out;
}

void WriteRunnerLines(const std::vector<CapturedRecord>& records, const std::string& file) {
  std::ofstream out(file, std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + file);
  for (const CapturedRecord& r : records) {
    out << "{\"topic\":" << json(r.topic).dump() << ",\"key\":" << r.key_text
        << ",\"value\":" << r.value_text << "}\n";
  }
  if (!out.flush()) throw std::runtime_error("cannot write " + file);
}

}  // namespace cdc::testing
