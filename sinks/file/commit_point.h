// CommitPoint: the contents of offsets.json, the one file that says what a
// file sink directory holds.
//
//   {"version":1,"segment":3,"length":1048576,"offset":{"tx":"tx-9","index":7},
//    "committed_at":"2024-05-01T12:00:00.123Z","records":123456}
//
// The committed data ends `length` bytes into segment `segment`; every
// lower-numbered segment is complete; anything past that point is an
// uncommitted leftover. `offset` is where the source resumes, `records` the
// number of lines committed in all segments together.
//
// Invariant: offsets.json never names bytes that were not fdatasync'ed before
// it was written. It is replaced atomically (write offsets.json.tmp, fsync it,
// rename it over offsets.json, fsync the directory), so after a crash at any
// instant it holds either the previous or the new commit point.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cdc/offset.h"

namespace cdc::filesink {

struct CommitPoint {
  uint64_t segment = 1;
  uint64_t length = 0;
  Offset offset;
  uint64_t records = 0;
};

// Validates `j`, read from `path`; throws Error naming `path` and the fault.
CommitPoint ParseCommitPoint(const nlohmann::json& j, const std::string& path);

// DIR/offsets.json as JSON once validated; nullopt when the file does not
// exist. Throws Error naming the file when it is unreadable or corrupt.
std::optional<nlohmann::json> ReadCommitPointJson(const std::string& dir);
std::optional<CommitPoint> ReadCommitPoint(const std::string& dir);

// Replaces DIR/offsets.json with `cp`, stamped with the current time. With
// `sync` false nothing is fsync'ed: still atomic when the process crashes,
// no longer when the machine loses power.
void WriteCommitPoint(const std::string& dir, const CommitPoint& cp, bool sync);

}  // namespace cdc::filesink
