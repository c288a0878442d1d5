// Test helpers: locating binlog fixtures (tests/fixtures/ copies of the
// permissively licensed ones, ../shared/fixtures/ for the rest) and
// decoding a whole file through BinlogFileReader + BinlogEventDecoder.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "sources/mysql/binlog_event_decoder.h"

namespace cdc::mysql::testing {

struct FixtureFile {
  std::string folder;          // e.g. "rust_mysql_common"
  std::string name;            // file name as in MANIFEST.json
  nlohmann::json manifest;     // its MANIFEST.json entry
  std::filesystem::path path;  // empty when not available here
  std::string label() const;   // gtest-safe unique name
};
// gtest printer (instead of a byte dump in test names and failures).
inline void PrintTo(const FixtureFile& f, std::ostream* os) {
  *os << f.folder << "/" << f.name;
}

// Every manifest entry of the binlog fixture folders whose file is here
// (local copy first, then ../shared/fixtures), with its path: a file that is
// absent gets no test rather than a skipped one.
std::vector<FixtureFile> AllBinlogFixtures();

// Path of a fixture by folder and name, or nullopt.
std::optional<std::filesystem::path> FindFixture(const std::string& folder,
                                                 const std::string& name);

struct DecodedFile {
  std::map<std::string, int> counts;  // outer events by EventTypeName
  std::vector<DecodedEvent> events;   // outer and inner events, in order
  std::optional<std::string> error;   // cdc::Error text if reading stopped
};

// Reads and decodes `path` until its end or the first error. `.gz` files are
// decompressed into a temporary file first.
DecodedFile DecodeBinlogFile(const std::filesystem::path& path, RowDecodeOptions opts = {});

}  // namespace cdc::mysql::testing
