// The files of a file sink directory:
//
//   events-000001.jsonl ...  segments: JSON Lines, one line per Record,
//                            appended in order, numbered from 1
//   offsets.json             the commit point (see commit_point.h)
//   offsets.json.tmp         a commit point being written; renamed over
//                            offsets.json once durable, removed by recovery
//   .lock                    flock()ed by the one process writing here
//
// Other files are left alone, so a directory may also hold a consumer's notes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cdc::filesink {

inline constexpr char kOffsetsFile[] = "offsets.json";
inline constexpr char kOffsetsTmpFile[] = "offsets.json.tmp";
inline constexpr char kLockFile[] = ".lock";

// "events-000042.jsonl": six digits at least, more past 999999.
std::string SegmentName(uint64_t number);
std::string JoinPath(const std::string& dir, const std::string& name);
// Numbers of the segments in `dir`, ascending. Only names SegmentName() could
// have produced count.
std::vector<uint64_t> ListSegments(const std::string& dir);

}  // namespace cdc::filesink
