// CheckYamlSyntax: the config file's YAML syntax, checked before yaml-cpp
// builds its node tree.
//
// Why a second parser: yaml-cpp 0.7 (Debian 12) can work for minutes and
// allocate gigabytes before it rejects some malformed inputs (a ',' after a
// document's root node, a ',' starting a line, control characters; found by
// tests/fuzz/config_fuzz). libyaml is a strict, linear-time YAML 1.1 parser
// with a long fuzzing record; its event stream is read and discarded here, so
// yaml-cpp only ever sees well-formed input holding at most one document.
//
// Throws ConfigError("NAME:LINE: YAML syntax error: ...") naming the line
// and column of the first problem (for bytes that are not allowed at all,
// which byte), or ConfigError("NAME:LINE: a second YAML document; ...").
#pragma once

#include <string>
#include <string_view>

namespace cdc {

void CheckYamlSyntax(std::string_view yaml, const std::string& name);

}  // namespace cdc
