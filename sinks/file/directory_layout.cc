#include "sinks/file/directory_layout.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "cdc/error.h"

namespace cdc::filesink {
namespace {

constexpr char kPrefix[] = "events-";
constexpr char kSuffix[] = ".jsonl";

bool AllDigits(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool ParseSegmentName(const std::string& name, uint64_t* number) {
  const size_t prefix = sizeof(kPrefix) - 1;
  const size_t suffix = sizeof(kSuffix) - 1;
  if (name.size() <= prefix + suffix || name.compare(0, prefix, kPrefix) != 0 ||
      name.compare(name.size() - suffix, suffix, kSuffix) != 0) {
    return false;
  }
  std::string digits = name.substr(prefix, name.size() - prefix - suffix);
  if (digits.size() > 18 || !AllDigits(digits)) return false;
  *number = std::stoull(digits);
  // Rejects "events-1.jsonl" and "events-000000.jsonl": not ours.
  return *number > 0 && SegmentName(*number) == name;
}

}  // namespace

std::string SegmentName(uint64_t number) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%s%06llu%s", kPrefix, static_cast<unsigned long long>(number),
                kSuffix);
  return buf;
}

std::string JoinPath(const std::string& dir, const std::string& name) {
  return (std::filesystem::path(dir) / name).string();
}

std::vector<uint64_t> ListSegments(const std::string& dir) {
  std::vector<uint64_t> out;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    uint64_t number;
    if (ParseSegmentName(it->path().filename().string(), &number)) out.push_back(number);
  }
  if (ec) throw Error("list " + dir + ": " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace cdc::filesink
