#include "sinks/file/commit_point.h"

#include <fcntl.h>

#include <chrono>
#include <ctime>

#include "cdc/error.h"
#include "sinks/file/directory_layout.h"
#include "sinks/file/posix_io.h"

namespace cdc::filesink {
namespace {

constexpr int kVersion = 1;

uint64_t GetUnsigned(const nlohmann::json& j, const char* key, const std::string& path) {
  auto it = j.find(key);
  if (it == j.end()) throw Error(path + ": missing \"" + key + "\"");
  if (!it->is_number_unsigned()) {
    throw Error(path + ": \"" + key + "\" is not an unsigned integer: " + it->dump());
  }
  return it->get<uint64_t>();
}

// "2024-05-01T12:00:00.123Z"
std::string NowIso8601() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm;
  gmtime_r(&secs, &tm);
  char buf[40];
  size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof(buf) - n, ".%03dZ", static_cast<int>(ms % 1000));
  return buf;
}

}  // namespace

CommitPoint ParseCommitPoint(const nlohmann::json& j, const std::string& path) {
  if (!j.is_object()) throw Error(path + ": not a JSON object: " + j.dump());
  auto version = j.find("version");
  if (version == j.end() || *version != kVersion) {
    throw Error(path + ": unsupported \"version\" " +
                (version == j.end() ? std::string("(missing)") : version->dump()) + ", want " +
                std::to_string(kVersion));
  }
  CommitPoint cp;
  cp.segment = GetUnsigned(j, "segment", path);
  if (cp.segment == 0) throw Error(path + ": \"segment\" is 0; segments are numbered from 1");
  cp.length = GetUnsigned(j, "length", path);
  cp.records = GetUnsigned(j, "records", path);
  auto offset = j.find("offset");
  if (offset == j.end()) throw Error(path + ": missing \"offset\"");
  cp.offset = Offset::from_json(*offset, path + ": \"offset\"");
  auto at = j.find("committed_at");
  if (at == j.end() || !at->is_string()) throw Error(path + ": missing \"committed_at\" string");
  return cp;
}

std::optional<nlohmann::json> ReadCommitPointJson(const std::string& dir) {
  std::string path = JoinPath(dir, kOffsetsFile);
  std::optional<std::string> text = ReadWholeFile(path);
  if (!text) return std::nullopt;
  if (text->empty()) throw Error(path + ": file is empty (not a commit point)");
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw Error(path + ": not valid JSON: " + text->substr(0, 200));
  ParseCommitPoint(j, path);
  return j;
}

std::optional<CommitPoint> ReadCommitPoint(const std::string& dir) {
  std::optional<nlohmann::json> j = ReadCommitPointJson(dir);
  if (!j) return std::nullopt;
  return ParseCommitPoint(*j, JoinPath(dir, kOffsetsFile));
}

void WriteCommitPoint(const std::string& dir, const CommitPoint& cp, bool sync) {
  nlohmann::ordered_json j;
  j["version"] = kVersion;
  j["segment"] = cp.segment;
  j["length"] = cp.length;
  j["offset"] = cp.offset.to_json();
  j["committed_at"] = NowIso8601();
  j["records"] = cp.records;
  std::string text = j.dump() + "\n";

  std::string tmp = JoinPath(dir, kOffsetsTmpFile);
  UniqueFd fd = OpenFile(tmp, O_WRONLY | O_CREAT | O_TRUNC);
  WriteAll(fd.get(), text, tmp);
  // The rename must not become durable before the contents do, or a power
  // loss could leave an empty offsets.json.
  if (sync) SyncFile(fd.get(), tmp);
  Close(fd, tmp);
  Rename(tmp, JoinPath(dir, kOffsetsFile));
  if (sync) SyncDir(dir);
}

}  // namespace cdc::filesink
