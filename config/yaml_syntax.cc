#include "config/yaml_syntax.h"

#include <yaml.h>

#include <cstdio>

#include "cdc/error.h"

namespace cdc {
namespace {

struct LineColumn {
  size_t line = 1, column = 1;  // 1-based; column counts bytes
};

LineColumn AtOffset(std::string_view yaml, size_t offset) {
  LineColumn at;
  size_t line_start = 0;
  for (size_t i = 0; i < offset && i < yaml.size(); ++i) {
    if (yaml[i] == '\n') {
      ++at.line;
      line_start = i + 1;
    }
  }
  at.column = offset - line_start + 1;
  return at;
}

// A byte the reader refuses (a control character, invalid UTF-8): where it
// is and what it is, from the byte offset libyaml reports.
std::string ReaderProblem(const yaml_parser_t& parser, std::string_view yaml) {
  const std::string problem = parser.problem ? parser.problem : "unreadable input";
  size_t offset = parser.problem_offset;
  std::string detail;
  if (problem == "control characters are not allowed") {
    char code[8];
    std::snprintf(code, sizeof code, "0x%02X", static_cast<unsigned>(parser.problem_value));
    detail = std::string("control character ") + code;
  } else {
    // libyaml points at the bad trailing byte; the character starts at its
    // leading byte.
    if (problem == "invalid trailing UTF-8 octet") {
      while (offset > 0 && offset <= yaml.size() &&
             (static_cast<unsigned char>(yaml[offset - 1]) & 0xC0) == 0x80) {
        --offset;
      }
      if (offset > 0) --offset;
    }
    detail = "not UTF-8: " + problem;
  }
  const LineColumn at = AtOffset(yaml, offset);
  detail += " at column " + std::to_string(at.column);
  detail += problem == "control characters are not allowed"
                ? " (only tabs and line breaks may appear in a config)"
                : " (save the file as UTF-8)";
  return std::to_string(at.line) + ": YAML syntax error: " + detail;
}

// A scanner or parser problem: libyaml's words, with the line and column of
// the problem and of the construct it was reading ("while parsing a block
// mapping at line 1").
std::string GrammarProblem(const yaml_parser_t& parser, std::string_view yaml) {
  const yaml_mark_t& mark = parser.problem_mark;
  std::string message = std::to_string(mark.line + 1) + ": YAML syntax error: " +
                        (parser.problem ? parser.problem : "malformed YAML") + " at column " +
                        std::to_string(mark.column + 1);
  if (parser.context) {
    message += std::string(" (") + parser.context + " at line " +
               std::to_string(parser.context_mark.line + 1) + ")";
  }
  if (mark.index < yaml.size() && yaml[mark.index] == ',') {
    message += "; a ',' separates items only inside [...] or {...}";
  }
  return message;
}

struct Parser {
  yaml_parser_t p;
  Parser() { yaml_parser_initialize(&p); }
  ~Parser() { yaml_parser_delete(&p); }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;
};

}  // namespace

void CheckYamlSyntax(std::string_view yaml, const std::string& name) {
  Parser parser;
  yaml_parser_set_input_string(&parser.p, reinterpret_cast<const unsigned char*>(yaml.data()),
                               yaml.size());
  int documents = 0;
  for (;;) {
    yaml_event_t event;
    if (!yaml_parser_parse(&parser.p, &event)) {
      throw ConfigError(name + ":" +
                        (parser.p.error == YAML_READER_ERROR ? ReaderProblem(parser.p, yaml)
                                                             : GrammarProblem(parser.p, yaml)));
    }
    const yaml_event_type_t type = event.type;
    const size_t line = event.start_mark.line + 1;
    yaml_event_delete(&event);
    if (type == YAML_STREAM_END_EVENT) return;
    if (type == YAML_DOCUMENT_START_EVENT && ++documents == 2) {
      throw ConfigError(name + ":" + std::to_string(line) +
                        ": a second YAML document; put all pipelines in one 'pipelines' list");
    }
  }
}

}  // namespace cdc
