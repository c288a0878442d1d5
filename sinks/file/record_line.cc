#include "sinks/file/record_line.h"

#include <cstring>
#include <nlohmann/json.hpp>

#include "cdc/error.h"

namespace cdc::filesink {
namespace {

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

// JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool IsJsonNumber(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < s.size() && s[i] == '.' && (++i, !digits())) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

void AppendJsonString(std::string_view s, const Record& record, const char* what,
                      std::string& out) {
  try {
    out += nlohmann::json(std::string(s)).dump();
  } catch (const nlohmann::json::type_error& e) {
    throw Error("file sink: " + std::string(what) + " of a record for topic '" + record.topic +
                "' is neither JSON nor UTF-8 text, which a JSON line cannot hold: " + e.what());
  }
}

void AppendPayload(const std::optional<std::string>& bytes, const Record& record, const char* what,
                   std::string& out) {
  if (!bytes) {
    out += "null";
  } else if (LooksLikeJson(*bytes)) {
    out += *bytes;
  } else {
    AppendJsonString(*bytes, record, what, out);
  }
}

}  // namespace

bool LooksLikeJson(std::string_view b) {
  if (b.empty()) return false;
  // A line break would split the record over two lines of the file.
  if (std::memchr(b.data(), '\n', b.size()) || std::memchr(b.data(), '\r', b.size())) return false;
  char first = b.front(), last = b.back();
  if (b.size() >= 2 && ((first == '{' && last == '}') || (first == '[' && last == ']') ||
                        (first == '"' && last == '"'))) {
    return true;
  }
  return b == "true" || b == "false" || b == "null" || IsJsonNumber(b);
}

void AppendRecordLine(const Record& record, std::string& out) {
  out += "{\"topic\":";
  AppendJsonString(record.topic, record, "the topic", out);
  out += ",\"key\":";
  AppendPayload(record.key, record, "the key", out);
  out += ",\"value\":";
  AppendPayload(record.value, record, "the value", out);
  out += ",\"headers\":{";
  for (size_t i = 0; i < record.headers.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(record.headers[i].name, record, "a header name", out);
    out += ':';
    AppendJsonString(record.headers[i].value, record, "a header value", out);
  }
  out += "}}\n";
}

}  // namespace cdc::filesink
