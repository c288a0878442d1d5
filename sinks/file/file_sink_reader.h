// Reading a file sink directory: what was committed, nothing else.
//
// ReadCommittedRecords() reads offsets.json first, then the segments up to
// the length it names, in segment order. Committed bytes never change, so this
// is safe while a FileSink is writing the directory: a commit made meanwhile
// is simply not seen. Segments below the committed one that a consumer has
// archived (removed) are skipped. Used by tests and the kill tests; it holds
// every record in memory (FileCaptureReader streams them).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace cdc {

struct FileRecordLine {
  std::string topic;
  nlohmann::json key;    // null for a null key
  nlohmann::json value;  // null for a tombstone
  std::map<std::string, std::string> headers;
};

// The committed lines of `dir`, in order; empty when nothing was committed.
// Throws Error naming the file (and byte) when offsets.json or a committed
// line is corrupt, or the committed segment is shorter than committed.
std::vector<FileRecordLine> ReadCommittedRecords(const std::string& dir);

// DIR/offsets.json, validated; nullopt when nothing was committed yet. Throws
// Error naming the file when it is corrupt.
std::optional<nlohmann::json> ReadOffsetsFile(const std::string& dir);

}  // namespace cdc
