#include "sinks/file/record_line.h"

#include <simdjson.h>

#include <cstring>

#include "cdc/error.h"
#include "cdc/format/json_writer.h"

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

void AppendJsonString(std::string_view s, std::string_view topic, const char* what,
                      OutBuffer& out) {
  if (!format::AppendJsonString(out, s, /*strict=*/true)) {
    throw Error("file sink: " + std::string(what) + " of a record for topic '" +
                std::string(topic) +
                "' is neither JSON nor UTF-8 text, which a JSON line cannot hold");
  }
}

void AppendPayload(std::optional<std::string_view> bytes, std::string_view topic, const char* what,
                   OutBuffer& out) {
  if (!bytes) {
    out += "null";
  } else if (LooksLikeJson(*bytes)) {
    out += *bytes;
  } else {
    AppendJsonString(*bytes, topic, what, out);
  }
}

template <typename Headers>
void AppendHeaders(const Headers& headers, std::string_view topic, OutBuffer& out) {
  out += ",\"headers\":{";
  bool first = true;
  for (const auto& h : headers) {
    if (!first) out += ',';
    first = false;
    AppendJsonString(h.name, topic, "a header name", out);
    out += ':';
    AppendJsonString(h.value, topic, "a header value", out);
  }
  out += "}}\n";
}

// A key or value of a RecordRef: rendered in place when the format writes
// JSON, else through `scratch` and the look.
template <typename Render>
void AppendRendered(const RecordRef& record, Render&& render, const char* what, OutBuffer& out,
                    OutBuffer& scratch) {
  if (record.json()) {
    if (!render(out)) out += "null";
    return;
  }
  scratch.clear();
  std::optional<std::string_view> bytes;
  if (render(scratch)) bytes = scratch.view();
  AppendPayload(bytes, record.topic(), what, out);
}

}  // namespace

bool LooksLikeJson(std::string_view b) {
  if (b.empty()) return false;
  // A line break would split the record over two lines of the file.
  if (std::memchr(b.data(), '\n', b.size()) || std::memchr(b.data(), '\r', b.size())) return false;
  char first = b.front(), last = b.back();
  if (b.size() >= 2 && ((first == '{' && last == '}') || (first == '[' && last == ']'))) {
    return true;
  }
  // Not "null" nor a string: in a line they stand for a null key or value
  // and for embedded bytes (see ParseRecordLine).
  return b == "true" || b == "false" || IsJsonNumber(b);
}

void AppendRecordLine(const RecordRef& record, OutBuffer& out, OutBuffer& scratch) {
  out += "{\"topic\":";
  AppendJsonString(record.topic(), record.topic(), "the topic", out);
  out += ",\"key\":";
  AppendRendered(
      record, [&](OutBuffer& b) { return record.append_key(b); }, "the key", out, scratch);
  out += ",\"value\":";
  AppendRendered(
      record, [&](OutBuffer& b) { return record.append_value(b); }, "the value", out, scratch);
  AppendHeaders(record.headers(), record.topic(), out);
}

void AppendRecordLine(const Record& record, OutBuffer& out) {
  out += "{\"topic\":";
  AppendJsonString(record.topic, record.topic, "the topic", out);
  out += ",\"key\":";
  AppendPayload(record.key_bytes(), record.topic, "the key", out);
  out += ",\"value\":";
  AppendPayload(record.value_bytes(), record.topic, "the value", out);
  AppendHeaders(record.headers, record.topic, out);
}

void AppendRecordLine(const Record& record, std::string& out) {
  OutBuffer line;
  AppendRecordLine(record, line);
  out += line.view();
}

namespace {

namespace od = simdjson::ondemand;
static_assert(kLinePadding >= simdjson::SIMDJSON_PADDING);

[[noreturn]] void BadLine(const std::string& file, uint64_t at, const std::string& what) {
  throw Error(file + ": byte " + std::to_string(at) + ": not a cdcd record line: " + what);
}

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// A key or value: null, embedded bytes (a string), or the bytes verbatim.
simdjson::error_code ReadPayload(od::value v, std::optional<std::string>& out) {
  od::json_type type;
  if (auto err = v.type().get(type)) return err;
  std::string_view bytes;
  switch (type) {
    case od::json_type::null:
      out.reset();
      return simdjson::SUCCESS;
    case od::json_type::string:
      if (auto err = v.get_string().get(bytes)) return err;
      break;
    case od::json_type::object: {
      od::object o;
      if (auto err = v.get_object().get(o)) return err;
      if (auto err = o.raw_json().get(bytes)) return err;
      break;
    }
    case od::json_type::array: {
      od::array a;
      if (auto err = v.get_array().get(a)) return err;
      if (auto err = a.raw_json().get(bytes)) return err;
      break;
    }
    default:
      bytes = TrimRight(v.raw_json_token());
  }
  out.emplace(bytes);
  return simdjson::SUCCESS;
}

simdjson::error_code ReadHeaders(od::value v, std::vector<Header>& out) {
  od::object o;
  if (auto err = v.get_object().get(o)) return err;
  for (auto field : o) {
    std::string_view name, value;
    if (auto err = field.unescaped_key().get(name)) return err;
    if (auto err = field.value().get_string().get(value)) return err;
    out.push_back(Header{std::string(name), std::string(value)});
  }
  return simdjson::SUCCESS;
}

}  // namespace

struct RecordLineParser::Impl {
  od::parser parser;
};

RecordLineParser::RecordLineParser() : impl_(std::make_unique<Impl>()) {}
RecordLineParser::~RecordLineParser() = default;

void RecordLineParser::parse(std::string_view line, Record& out, const std::string& file,
                             uint64_t at) {
  out.key.reset();
  out.value.reset();
  out.headers.clear();
  if (line.empty() || line.back() != '}') BadLine(file, at, "it does not end with }");
  od::document doc;
  od::object o;
  if (auto err =
          impl_->parser.iterate(line.data(), line.size(), line.size() + kLinePadding).get(doc)) {
    BadLine(file, at, simdjson::error_message(err));
  }
  if (auto err = doc.get_object().get(o)) BadLine(file, at, simdjson::error_message(err));
  // The writer's fields, in its order: topic, key, value, headers.
  static constexpr std::string_view kFields[] = {"topic", "key", "value", "headers"};
  size_t n = 0;
  for (auto field : o) {
    std::string_view name;
    simdjson::error_code err = field.unescaped_key().get(name);
    if (!err && (n >= 4 || name != kFields[n])) {
      BadLine(file, at,
              "field " + std::string(name) + " where " +
                  (n < 4 ? std::string(kFields[n]) : "the end") + " belongs");
    }
    if (!err) {
      switch (n) {
        case 0: {
          std::string_view topic;
          err = field.value().get_string().get(topic);
          if (!err) out.topic.assign(topic);
          break;
        }
        case 1:
          err = ReadPayload(field.value(), out.key);
          break;
        case 2:
          err = ReadPayload(field.value(), out.value);
          break;
        default:
          err = ReadHeaders(field.value(), out.headers);
      }
    }
    if (err) {
      BadLine(file, at,
              std::string(n < 4 ? kFields[n] : "line") + ": " + simdjson::error_message(err));
    }
    ++n;
  }
  if (n != 4) BadLine(file, at, "it ends before its " + std::string(kFields[n]));
}

}  // namespace cdc::filesink
