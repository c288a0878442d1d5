#include "sinks/file/file_capture_reader.h"

#include <fcntl.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "cdc/registry.h"
#include "sinks/file/commit_point.h"
#include "sinks/file/directory_layout.h"

namespace cdc {
namespace {

constexpr size_t kWindow = size_t{1} << 20;

// Whether the byte before `length` in `path` ends a line (or length is 0).
bool EndsLine(const std::string& path, uint64_t length) {
  if (length == 0) return true;
  filesink::UniqueFd fd = filesink::OpenFile(path, O_RDONLY);
  return filesink::ReadAt(fd.get(), length - 1, 1, path) == "\n";
}

std::string Absolute(const std::string& dir) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::weakly_canonical(dir, ec);
  if (ec) p = std::filesystem::absolute(dir);
  std::string s = p.string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

FileCaptureReader::FileCaptureReader(const std::string& dir) : dir_(Absolute(dir)) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir_, ec)) {
    throw CaptureError(dir + ": no such directory (want a file sink's directory)");
  }
  std::optional<filesink::CommitPoint> cp;
  try {
    cp = filesink::ReadCommitPoint(dir_);
  } catch (const Error& e) {
    throw CaptureError(std::string("not a readable cdcd capture: ") + e.what());
  }
  if (!cp) {
    throw CaptureError(dir_ + " is not a cdcd capture: it has no " + filesink::kOffsetsFile +
                       " (nothing was ever committed there, or it is not a file sink's directory)");
  }
  for (uint64_t n : filesink::ListSegments(dir_)) {
    if (n > cp->segment) break;  // uncommitted leftovers
    Segment s{n, 0, filesink::JoinPath(dir_, filesink::SegmentName(n))};
    uint64_t size = filesink::PathSize(s.path).value_or(0);
    s.length = n < cp->segment ? size : cp->length;
    if (size < s.length) {
      throw CaptureError(s.path + " is torn: it holds " + std::to_string(size) + " bytes, but " +
                         std::to_string(s.length) + " were committed");
    }
    if (!EndsLine(s.path, s.length)) {
      throw CaptureError(s.path + " is torn: its committed bytes (" + std::to_string(s.length) +
                         ") do not end with a whole line");
    }
    total_bytes_ += s.length;
    segments_.push_back(std::move(s));
  }
  if (cp->length > 0 && (segments_.empty() || segments_.back().number != cp->segment)) {
    throw CaptureError(filesink::JoinPath(dir_, filesink::SegmentName(cp->segment)) +
                       " is missing, though " + std::to_string(cp->length) +
                       " bytes of it were committed");
  }
  buf_.resize(kWindow + filesink::kLinePadding);
  open_at(0, 0);
}

void FileCaptureReader::open_at(size_t index, uint64_t byte) {
  index_ = index;
  done_before_ = 0;
  for (size_t i = 0; i < index && i < segments_.size(); ++i) done_before_ += segments_[i].length;
  fd_.reset();
  if (index_ < segments_.size()) fd_ = filesink::OpenFile(segments_[index_].path, O_RDONLY);
  begin_ = end_ = 0;
  file_pos_ = byte;
}

void FileCaptureReader::seek(const nlohmann::json& position) {
  const std::string bad = "replay position " + position.dump() + " does not fit capture " + dir_;
  auto natural = [&](const char* key) {
    return position.is_object() && position.contains(key) && position[key].is_number_integer() &&
           position[key].get<int64_t>() >= 0;
  };
  if (!natural("segment") || !natural("byte")) {
    throw CaptureError(bad + ": want {\"segment\": n, \"byte\": b}");
  }
  const uint64_t segment = position["segment"].get<uint64_t>();
  const uint64_t byte = position["byte"].get<uint64_t>();
  auto it = std::find_if(segments_.begin(), segments_.end(),
                         [&](const Segment& s) { return s.number >= segment; });
  if (it == segments_.end()) {
    if (segments_.empty() && segment == 1 && byte == 0) return;
    throw CaptureError(bad + ": the capture ends before segment " + std::to_string(segment));
  }
  if (it->number != segment) {
    throw CaptureError(bad + ": " + filesink::SegmentName(segment) +
                       " is gone (archived?), so the records after it cannot be found");
  }
  if (byte > it->length || !EndsLine(it->path, byte)) {
    throw CaptureError(bad + ": byte " + std::to_string(byte) + " does not start a line of " +
                       it->path);
  }
  open_at(static_cast<size_t>(it - segments_.begin()), byte);
}

bool FileCaptureReader::fill_line(size_t& line_end) {
  const uint64_t length = segments_[index_].length;
  for (;;) {
    const char* nl =
        static_cast<const char*>(std::memchr(buf_.data() + begin_, '\n', end_ - begin_));
    if (nl) {
      line_end = static_cast<size_t>(nl - buf_.data());
      return true;
    }
    const uint64_t loaded_to = file_pos_ + (end_ - begin_);
    if (loaded_to >= length) {
      if (end_ > begin_) {
        throw CaptureError(segments_[index_].path + ": committed bytes end inside a line");
      }
      return false;
    }
    // Keep the partial line, then read more after it (growing for long lines).
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
    if (end_ == buf_.size() - filesink::kLinePadding) {
      buf_.resize((buf_.size() - filesink::kLinePadding) * 2 + filesink::kLinePadding);
    }
    const uint64_t room = buf_.size() - filesink::kLinePadding - end_;
    const std::string more = filesink::ReadAt(
        fd_.get(), loaded_to, std::min<uint64_t>(room, length - loaded_to), segments_[index_].path);
    if (more.empty()) {
      throw CaptureError(segments_[index_].path + " shrank while being read");
    }
    std::memcpy(buf_.data() + end_, more.data(), more.size());
    end_ += more.size();
  }
}

bool FileCaptureReader::next(Record& out) {
  while (index_ < segments_.size()) {
    size_t line_end = 0;
    if (fill_line(line_end)) {
      const std::string_view line(buf_.data() + begin_, line_end - begin_);
      parser_.parse(line, out, segments_[index_].path, file_pos_);
      file_pos_ += line.size() + 1;
      begin_ = line_end + 1;
      return true;
    }
    open_at(index_ + 1, 0);
  }
  return false;
}

nlohmann::json FileCaptureReader::position() const {
  if (segments_.empty()) return {{"segment", 1}, {"byte", 0}};
  if (index_ >= segments_.size()) {
    // The end stays in the last segment: the sink may append to it later.
    return {{"segment", segments_.back().number}, {"byte", segments_.back().length}};
  }
  // A lower segment read to its end is complete: resume at the next one's
  // start, so that a consumer may archive the finished one meanwhile.
  if (file_pos_ == segments_[index_].length && index_ + 1 < segments_.size()) {
    return {{"segment", segments_[index_ + 1].number}, {"byte", 0}};
  }
  return {{"segment", segments_[index_].number}, {"byte", file_pos_}};
}

CaptureProgress FileCaptureReader::progress() const {
  return {done_before_ + (index_ < segments_.size() ? file_pos_ : 0), total_bytes_, "bytes"};
}

void RegisterFileCapture(Registry& registry) {
  registry.add_capture("file", [](const std::string& location, const ConfigNode*) {
    return std::make_unique<FileCaptureReader>(location);
  });
}

}  // namespace cdc
