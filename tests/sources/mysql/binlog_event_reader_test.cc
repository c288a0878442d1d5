// The file reader on damaged input: truncated copies of a good binlog at
// many offsets, flipped bytes (CRC32 files and files without checksums),
// bad magic. Every failure must be a cdc::Error that names file:position;
// nothing may crash or hang.

#include "sources/mysql/binlog_event_reader.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "cdc/error.h"
#include "sources/mysql/binlog_event_decoder.h"
#include "tests/sources/mysql/binlog_fixtures.h"
#include "tests/support/test_support.h"

namespace cdc::mysql::testing {
namespace {

namespace fs = std::filesystem;

// Decodes all of `path`, returning the error text or "" at a clean end.
std::string DecodeAll(const fs::path& path) {
  try {
    BinlogFileReader reader(path.string());
    BinlogEventDecoder decoder;
    while (auto ev = reader.next()) {
      DecodedEvent d = decoder.decode(*ev);
      if (auto* tp = std::get_if<TransactionPayloadEvent>(&d.body)) {
        for (const auto& inner : tp->events) decoder.decode(inner);
      }
    }
    return "";
  } catch (const Error& e) {
    return e.what();
  }
}

std::string Fixture(const std::string& folder, const std::string& name) {
  auto p = FindFixture(folder, name);
  if (!p) throw std::runtime_error("missing fixture " + name);
  return cdc::testing::ReadFile(*p);
}

TEST(BinlogEventReader, ReadsHeadersAndStripsChecksums) {
  auto p = FindFixture("rust_mysql_common", "transaction_compression.000001");
  ASSERT_TRUE(p);
  BinlogFileReader reader(p->string());
  auto fde = reader.next();
  ASSERT_TRUE(fde);
  EXPECT_EQ(fde->position, 4u);
  EXPECT_EQ(fde->header.type, kFormatDescriptionEvent);
  EXPECT_EQ(reader.format().checksum_alg, ChecksumAlg::kCrc32);
  EXPECT_EQ(reader.format().server_version, "8.0.32");
  std::optional<BinlogEvent> last;
  while (auto ev = reader.next()) last = ev;
  ASSERT_TRUE(last);
  EXPECT_EQ(last->header.type, kRotateEvent);
  EXPECT_EQ(ParseRotate(last->body).next_file, "binlog.000043");  // CRC not part of the name
}

TEST(BinlogEventReader, TruncatedCopiesGiveFilePositionErrors) {
  const std::string name = "mysql-bin.checksum-crc32";
  std::string data = Fixture("mysql-binlog-connector-java", name);
  cdc::testing::TempDir tmp;
  fs::path path = tmp.path() / name;
  // A cut exactly between two events is a valid (shorter) binlog.
  std::set<size_t> boundaries = {4};
  BinlogFileReader full(FindFixture("mysql-binlog-connector-java", name)->string());
  while (auto ev = full.next()) boundaries.insert(ev->position + ev->header.event_size);
  int checked = 0;
  for (size_t cut = 1; cut < data.size(); cut += (cut < 200 ? 1 : 97)) {
    if (boundaries.count(cut)) continue;
    cdc::testing::WriteFile(path, data.substr(0, cut));
    std::string err = DecodeAll(path);
    ASSERT_FALSE(err.empty()) << "cut at " << cut;
    EXPECT_EQ(err.rfind(name + ":", 0), 0u) << err;
    ++checked;
  }
  EXPECT_GT(checked, 400);
}

TEST(BinlogEventReader, FlippedBytesInCrcFileAreCaught) {
  const std::string name = "mysql-bin.checksum-crc32";
  std::string data = Fixture("mysql-binlog-connector-java", name);
  cdc::testing::TempDir tmp;
  fs::path path = tmp.path() / name;
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) {
    std::string copy = data;
    size_t at = 4 + rng() % (copy.size() - 4);
    copy[at] = static_cast<char>(copy[at] ^ (1 + rng() % 255));
    cdc::testing::WriteFile(path, copy);
    std::string err = DecodeAll(path);
    // Any single flipped byte breaks a header or a CRC32.
    ASSERT_FALSE(err.empty()) << "flip at " << at;
    EXPECT_EQ(err.rfind(name + ":", 0), 0u) << err;
  }
}

TEST(BinlogEventReader, FlippedBytesWithoutChecksumsNeverCrash) {
  const std::string name = "mysql-bin.000001";
  std::string data = Fixture("canal", name);  // 5.1, row events, no checksums
  cdc::testing::TempDir tmp;
  fs::path path = tmp.path() / name;
  std::mt19937 rng(11);
  int errors = 0;
  for (int i = 0; i < 300; ++i) {
    std::string copy = data;
    for (int k = 0; k < 3; ++k) {
      size_t at = 4 + rng() % (copy.size() - 4);
      copy[at] = static_cast<char>(rng());
    }
    cdc::testing::WriteFile(path, copy);
    std::string err = DecodeAll(path);
    if (!err.empty()) {
      ++errors;
      EXPECT_EQ(err.rfind(name + ":", 0), 0u) << err;
    }
  }
  EXPECT_GT(errors, 0);
}

TEST(BinlogEventReader, BadMagicAndEmptyFiles) {
  cdc::testing::TempDir tmp;
  cdc::testing::WriteFile(tmp.path() / "x.000001",
                          "\xef\xbf\xbd"
                          "bin");
  EXPECT_EQ(DecodeAll(tmp.path() / "x.000001").rfind("x.000001:0: not a binlog", 0), 0u);
  cdc::testing::WriteFile(tmp.path() / "y.000001", "");
  EXPECT_EQ(DecodeAll(tmp.path() / "y.000001").rfind("y.000001:0:", 0), 0u);
  cdc::testing::WriteFile(tmp.path() / "z.000001",
                          "\xfe"
                          "bin");
  EXPECT_EQ(DecodeAll(tmp.path() / "z.000001"), "");  // magic only: no events, clean end
  EXPECT_THROW(BinlogFileReader((tmp.path() / "missing").string()), Error);
}

}  // namespace
}  // namespace cdc::mysql::testing
