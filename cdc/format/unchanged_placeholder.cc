#include "cdc/format/unchanged_placeholder.h"

#include "cdc/error.h"
#include "cdc/format/debezium_schema.h"

namespace cdc::format {
namespace {

enum class Shape { kNone, kString, kBytes, kStringList, kBytesList, kByteNumbers };

Shape ShapeOf(const Column& column, const FormatOptions& options) {
  auto scalar = [&](Encoding e) {
    if (e == Encoding::kString || e == Encoding::kDecimalString) return Shape::kString;
    if (e == Encoding::kBytes) return Shape::kBytes;
    return Shape::kNone;
  };
  const Encoding e = DebeziumEncoding(column, options);
  if (e != Encoding::kArray) return scalar(e);
  const Encoding element = DebeziumEncoding(ElementColumn(column), options);
  switch (scalar(element)) {
    case Shape::kString:
      return Shape::kStringList;
    case Shape::kBytes:
      return Shape::kBytesList;
    default:
      break;
  }
  const bool numbers =
      element == Encoding::kInt32 || element == Encoding::kInt64 || element == Encoding::kDateDays;
  return numbers ? Shape::kByteNumbers : Shape::kNone;
}

void WriteByteNumbers(JsonWriter& w, const std::string& bytes) {
  w.begin_array();
  // Java bytes are signed: Debezium's list holds (int) b.
  for (char c : bytes) w.int64(static_cast<int8_t>(c));
  w.end_array();
}

}  // namespace

bool HasPlaceholderShape(const Column& column, const FormatOptions& options) {
  return ShapeOf(column, options) != Shape::kNone;
}

void WritePlaceholder(JsonWriter& w, const Column& column, const FormatOptions& options) {
  const std::string& p = options.toast_placeholder;
  switch (ShapeOf(column, options)) {
    case Shape::kString:
      return w.string(p);
    case Shape::kBytes:
      return w.base64(p);
    case Shape::kStringList:
      w.begin_array();
      w.string(p);
      return w.end_array();
    case Shape::kBytesList:
      w.begin_array();
      w.base64(p);
      return w.end_array();
    case Shape::kByteNumbers:
      return WriteByteNumbers(w, p);
    case Shape::kNone:
      break;
  }
  throw Error("column " + column.name + " (" + column.source_type +
              "): no placeholder shape for an unchanged value");
}

std::vector<std::string> PlaceholderForms(const std::string& placeholder) {
  auto text = [](auto&& write) {
    JsonWriter w;
    write(w);
    return w.take();
  };
  const std::string s = text([&](JsonWriter& w) { w.string(placeholder); });
  const std::string b = text([&](JsonWriter& w) { w.base64(placeholder); });
  return {s, b, "[" + s + "]", "[" + b + "]",
          text([&](JsonWriter& w) { WriteByteNumbers(w, placeholder); })};
}

}  // namespace cdc::format
