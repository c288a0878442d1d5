#include "tests/sources/mysql/binlog_fixtures.h"

#include <cstdlib>
#include <fstream>

#include "cdc/error.h"
#include "sources/mysql/binlog_event_reader.h"
#include "tests/support/test_support.h"

namespace cdc::mysql::testing {

namespace fs = std::filesystem;

namespace {

const char* const kFolders[] = {"rust_mysql_common", "mysql-binlog-connector-java", "canal",
                                "go-mysql"};

fs::path LocalRoot() {
  return cdc::testing::SourcePath("tests/fixtures");
}
fs::path SharedRoot() {
  return cdc::testing::SourcePath("../shared/fixtures");
}

// Manifests name files without their sub-folder (canal has two
// mysql-bin.000001), so match by name and size.
std::optional<fs::path> FindIn(const fs::path& dir, const std::string& name,
                               std::optional<uint64_t> bytes) {
  if (!fs::is_directory(dir)) return std::nullopt;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file() || e.path().filename() != name) continue;
    if (e.path().string().find("oracle-mariadb-binlog") != std::string::npos) continue;
    if (bytes && e.file_size() != *bytes) continue;
    return e.path();
  }
  return std::nullopt;
}

}  // namespace

std::string FixtureFile::label() const {
  std::string out = folder + "_" + name;
  if (manifest.contains("bytes")) out += "_" + std::to_string(manifest["bytes"].get<uint64_t>());
  for (char& c : out) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return out;
}

std::optional<fs::path> FindFixture(const std::string& folder, const std::string& name) {
  if (auto p = FindIn(LocalRoot() / folder, name, std::nullopt)) return p;
  return FindIn(SharedRoot() / folder, name, std::nullopt);
}

std::vector<FixtureFile> AllBinlogFixtures() {
  std::vector<FixtureFile> out;
  for (const char* folder : kFolders) {
    fs::path manifest = SharedRoot() / folder / "MANIFEST.json";
    if (!fs::exists(manifest)) manifest = LocalRoot() / folder / "MANIFEST.json";
    std::ifstream in(manifest);
    if (!in) continue;
    nlohmann::json entries = nlohmann::json::parse(in);
    for (const auto& e : entries) {
      FixtureFile f;
      f.folder = folder;
      f.name = e.at("file").get<std::string>();
      f.manifest = e;
      std::optional<uint64_t> bytes;
      if (e.contains("bytes") && !f.name.ends_with(".gz")) bytes = e["bytes"].get<uint64_t>();
      auto p = FindIn(LocalRoot() / folder, f.name, bytes);
      if (!p) p = FindIn(SharedRoot() / folder, f.name, bytes);
      if (!p) continue;  // GPL, only in ../shared: no test claims to check it
      f.path = *p;
      out.push_back(std::move(f));
    }
  }
  return out;
}

DecodedFile DecodeBinlogFile(const fs::path& path, RowDecodeOptions opts) {
  DecodedFile out;
  std::optional<cdc::testing::TempDir> tmp;
  fs::path file = path;
  if (path.extension() == ".gz") {
    tmp.emplace();
    file = tmp->path() / path.stem();
    std::string cmd = "gzip -dc '" + path.string() + "' > '" + file.string() + "'";
    if (std::system(cmd.c_str()) != 0) throw Error("gunzip failed: " + path.string());
  }
  try {
    BinlogFileReader reader(file.string());
    BinlogEventDecoder decoder(opts);
    while (auto ev = reader.next()) {
      out.counts[EventTypeName(ev->header.type)]++;
      out.events.push_back(decoder.decode(*ev));
      if (auto* tp = std::get_if<TransactionPayloadEvent>(&out.events.back().body)) {
        std::vector<BinlogEvent> inner = tp->events;
        for (const auto& e : inner) out.events.push_back(decoder.decode(e));
      }
    }
  } catch (const Error& e) {
    out.error = e.what();
  }
  return out;
}

}  // namespace cdc::mysql::testing
