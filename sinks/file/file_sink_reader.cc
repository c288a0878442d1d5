#include "sinks/file/file_sink_reader.h"

#include "sinks/file/commit_point.h"
#include "sinks/file/file_capture_reader.h"

namespace cdc {
namespace {

// The JSON of a key or value as the line shows it: the bytes when they are
// JSON, else the string of embedded bytes.
nlohmann::json AsJson(const std::optional<std::string>& bytes) {
  if (!bytes) return nullptr;
  nlohmann::json j = nlohmann::json::parse(*bytes, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? nlohmann::json(*bytes) : j;
}

}  // namespace

std::optional<nlohmann::json> ReadOffsetsFile(const std::string& dir) {
  return filesink::ReadCommitPointJson(dir);
}

std::vector<FileRecordLine> ReadCommittedRecords(const std::string& dir) {
  std::vector<FileRecordLine> out;
  if (!filesink::ReadCommitPoint(dir)) return out;
  FileCaptureReader reader(dir);
  Record r;
  while (reader.next(r)) {
    FileRecordLine line{r.topic, AsJson(r.key), AsJson(r.value), {}};
    for (const Header& h : r.headers) line.headers[h.name] = h.value;
    out.push_back(std::move(line));
  }
  return out;
}

}  // namespace cdc
