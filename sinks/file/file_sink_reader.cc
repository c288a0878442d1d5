#include "sinks/file/file_sink_reader.h"

#include <fcntl.h>

#include "cdc/error.h"
#include "sinks/file/commit_point.h"
#include "sinks/file/directory_layout.h"
#include "sinks/file/posix_io.h"

namespace cdc {
namespace {

FileRecordLine ParseLine(const std::string& text, const std::string& where) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) throw Error(where + ": not a JSON object: " + text);
  auto topic = j.find("topic");
  auto headers = j.find("headers");
  if (topic == j.end() || !topic->is_string() || !j.contains("key") || !j.contains("value") ||
      headers == j.end() || !headers->is_object()) {
    throw Error(where +
                ": want {\"topic\":string,\"key\":..,\"value\":..,\"headers\":{..}}: " + text);
  }
  FileRecordLine line;
  line.topic = topic->get<std::string>();
  line.key = j["key"];
  line.value = j["value"];
  for (const auto& [name, value] : headers->items()) {
    if (!value.is_string()) throw Error(where + ": header " + name + " is not a string: " + text);
    line.headers[name] = value.get<std::string>();
  }
  return line;
}

// Appends the lines of the first `length` bytes of segment `path`.
void ReadSegment(const std::string& path, uint64_t length, std::vector<FileRecordLine>& out) {
  filesink::UniqueFd fd = filesink::OpenFile(path, O_RDONLY);
  std::string data = filesink::ReadAt(fd.get(), 0, length, path);
  if (data.size() < length) {
    throw Error(path + " holds " + std::to_string(data.size()) + " bytes, fewer than the " +
                std::to_string(length) + " committed");
  }
  size_t pos = 0;
  for (uint64_t line_no = 1; pos < data.size(); ++line_no) {
    size_t end = data.find('\n', pos);
    std::string where = path + ":" + std::to_string(line_no);
    if (end == std::string::npos) throw Error(where + ": committed data ends inside a line");
    out.push_back(ParseLine(data.substr(pos, end - pos), where));
    pos = end + 1;
  }
}

}  // namespace

std::optional<nlohmann::json> ReadOffsetsFile(const std::string& dir) {
  return filesink::ReadCommitPointJson(dir);
}

std::vector<FileRecordLine> ReadCommittedRecords(const std::string& dir) {
  std::vector<FileRecordLine> out;
  std::optional<filesink::CommitPoint> cp = filesink::ReadCommitPoint(dir);
  if (!cp) return out;
  bool saw_committed_segment = false;
  for (uint64_t n : filesink::ListSegments(dir)) {
    if (n > cp->segment) break;
    std::string path = filesink::JoinPath(dir, filesink::SegmentName(n));
    // Lower segments are complete: all of them is committed.
    uint64_t length = n < cp->segment ? filesink::PathSize(path).value_or(0) : cp->length;
    saw_committed_segment |= n == cp->segment;
    ReadSegment(path, length, out);
  }
  if (!saw_committed_segment && cp->length > 0) {
    throw Error(filesink::JoinPath(dir, filesink::SegmentName(cp->segment)) +
                " is missing, though " + std::to_string(cp->length) +
                " bytes of it were committed");
  }
  return out;
}

}  // namespace cdc
