// FileCaptureReader: the records a file sink committed, read back in order
// (a CaptureReader, see cdc/capture.h).
//
// Opening reads offsets.json once and checks the directory against it: the
// committed segment holds at least the committed length and the committed
// bytes end a line; every lower segment still present ends a line. Anything
// else is a CaptureError (not a capture, or torn) raised before the first
// record, so a replay of a bad directory writes nothing. The end is fixed at
// opening: a sink still writing the directory meanwhile is not seen, and
// nothing past the commit point (an uncommitted, possibly torn tail) ever is.
// Lower segments a consumer archived away are skipped.
//
// Reading goes through a window of the current segment (1 MiB, grown for a
// longer line), so memory stays bounded by the longest line. Positions are
// {"segment": n, "byte": b}: the next line starts b bytes into segment n.
// The end of a lower (complete) segment is the next one's start, so the
// finished one may be archived before a resume; the end of the capture stays
// in its last segment, which the sink may extend before a later resume.
// Progress counts committed bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cdc/capture.h"
#include "sinks/file/posix_io.h"
#include "sinks/file/record_line.h"

namespace cdc {

class FileCaptureReader : public CaptureReader {
 public:
  // Throws CaptureError when `dir` is not a readable, consistent capture.
  explicit FileCaptureReader(const std::string& dir);

  std::string describe() const override { return dir_; }
  void seek(const nlohmann::json& position) override;
  bool next(Record& out) override;
  nlohmann::json position() const override;
  CaptureProgress progress() const override;

 private:
  struct Segment {
    uint64_t number = 0;
    uint64_t length = 0;  // committed bytes
    std::string path;
  };

  // Positions the window at `byte` of segments_[index].
  void open_at(size_t index, uint64_t byte);
  // Makes the window hold a whole line from its start; false at the end of
  // the segment's committed bytes.
  bool fill_line(size_t& line_end);

  std::string dir_;  // absolute
  std::vector<Segment> segments_;
  uint64_t total_bytes_ = 0;
  size_t index_ = 0;          // segment being read
  uint64_t done_before_ = 0;  // committed bytes of the segments before index_
  filesink::UniqueFd fd_;
  // The window: bytes [file_pos_, file_pos_ + end_ - begin_) of the segment
  // sit at buf_[begin_, end_), followed by kLinePadding spare bytes.
  std::vector<char> buf_;
  size_t begin_ = 0, end_ = 0;
  uint64_t file_pos_ = 0;  // the segment byte at buf_[begin_]: the next line
  filesink::RecordLineParser parser_;
};

// Registers FileCaptureReader as capture scheme "file".
class Registry;
void RegisterFileCapture(Registry& registry);

}  // namespace cdc
