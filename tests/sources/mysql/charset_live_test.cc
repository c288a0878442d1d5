// Charset conversion against the real MariaDB of the ctest fixture: the
// server's own CONVERT(... USING utf8mb4) is the reference, and text columns
// in many charsets go through the binlog (pulled with mariadb-binlog --raw)
// and BinlogFileReader + BinlogEventDecoder.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "sources/mysql/binlog_event_decoder.h"
#include "sources/mysql/binlog_event_reader.h"
#include "sources/mysql/charset.h"
#include "sources/mysql/mysql_connection.h"
#include "tests/support/process.h"
#include "tests/support/test_support.h"

namespace cdc::mysql {
namespace {

std::string Unhex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return out;
}

class CharsetLiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CDCD_SERVICE_ENV_OR_SKIP(port, "mariadb", "CDCD_TEST_MYSQL_PORT");
    opts_.host = cdc::testing::ServiceEnv("mariadb", "CDCD_TEST_MYSQL_HOST").value_or("127.0.0.1");
    opts_.port = static_cast<uint16_t>(std::stoi(port));
    opts_.user = cdc::testing::ServiceEnv("mariadb", "CDCD_TEST_MYSQL_USER").value_or("cdc");
    opts_.password = cdc::testing::ServiceEnv("mariadb", "CDCD_TEST_MYSQL_PASSWORD").value_or("");
    opts_.ssl_mode = "disabled";
    db_ = cdc::testing::ServiceEnv("mariadb", "CDCD_TEST_MYSQL_DATABASE").value_or("cdcd_test");
    conn_ = std::make_unique<MySqlConnection>(opts_, "charset test");
    conn_->query("USE " + db_, "use");
  }

  // Runs mariadb-binlog to copy binlog `file` from the server into `dir`.
  void PullBinlog(const std::string& file, const std::filesystem::path& dir) {
    cdc::testing::ChildProcess p(
        {"/usr/bin/mariadb-binlog", "--no-defaults", "--read-from-remote-server", "--raw",
         "--host=" + opts_.host, "--port=" + std::to_string(opts_.port), "--user=" + opts_.user,
         "--password=" + opts_.password, "--result-file=" + dir.string() + "/", file},
        (dir / "mariadb-binlog.log").string());
    ASSERT_EQ(p.wait(), 0) << cdc::testing::ReadFile(dir / "mariadb-binlog.log");
  }

  MySqlConnectOptions opts_;
  std::string db_;
  std::unique_ptr<MySqlConnection> conn_;
};

// Every byte of every single-byte charset the server defines (anything but
// '?' / U+FFFD) must convert exactly as the server converts it.
TEST_F(CharsetLiveTest, SingleByteCharsetsMatchTheServerByteForByte) {
  for (const char* cs :
       {"latin1", "latin2", "latin5",   "latin7",  "greek", "hebrew", "cp1250", "cp1251",
        "cp1256", "cp1257", "cp850",    "cp852",   "cp866", "koi8r",  "koi8u",  "macroman",
        "macce",  "tis620", "armscii8", "geostd8", "hp8",   "dec8",   "swe7"}) {
    std::string sql = "SELECT ";
    for (int b = 1; b < 256; ++b) {
      char hex[3];
      std::snprintf(hex, sizeof hex, "%02X", b);
      sql +=
          std::string(b > 1 ? "," : "") + "HEX(CONVERT(_" + cs + " 0x" + hex + " USING utf8mb4))";
    }
    MySqlResult r = conn_->query(sql, "convert");
    for (int b = 1; b < 256; ++b) {
      std::string server = Unhex(r.get(0, b - 1));
      if ((server == "?" && b != '?') || server == "\uFFFD") continue;  // undefined there
      std::string byte(1, static_cast<char>(b));
      EXPECT_EQ(CharsetToUtf8(byte, cs), server) << cs << " byte " << b;
    }
  }
}

struct Column {
  std::string charset;
  std::string hex;       // the value's bytes in that charset
  std::string expected;  // UTF-8
};

TEST_F(CharsetLiveTest, TextColumnsThroughTheBinlogAreUtf8) {
  const std::vector<Column> columns = {
      {"latin1", "8041E9", "\u20acA\u00e9"},
      {"latin2", "B1E6", "\u0105\u0107"},
      {"cp1251", "CFF0E8E2E5F2", "\u041f\u0440\u0438\u0432\u0435\u0442"},
      {"koi8r", "F0D2C9D7C5D4", "\u041f\u0440\u0438\u0432\u0435\u0442"},
      {"greek", "E1E2E3", "\u03b1\u03b2\u03b3"},
      {"gbk", "C4E3BAC3", "\u4f60\u597d"},
      {"big5", "A741A66E", "\u4f60\u597d"},
      {"sjis", "82A05C815F", "\u3042\\\\"},
      {"ujis", "A4A2A1C0", "\u3042\\"},
      {"euckr", "C7D1B1DB", "\ud55c\uae00"},
      {"ucs2", "004120AC", "A\u20ac"},
      {"utf16", "D83DDE00", "\xF0\x9F\x98\x80"},
      {"utf32", "0001F600", "\xF0\x9F\x98\x80"},
      {"utf8mb4", "F09F9880", "\xF0\x9F\x98\x80"},
  };
  std::string table = "charset_live_" + std::to_string(getpid());
  std::string ddl = "CREATE TABLE " + table + " (id INT PRIMARY KEY";
  std::string insert = "INSERT INTO " + table + " VALUES (1";
  for (size_t i = 0; i < columns.size(); ++i) {
    const Column& c = columns[i];
    std::string name = "c" + std::to_string(i);
    ddl += ", " + name + " VARCHAR(20) CHARACTER SET " + c.charset;
    ddl += ", t" + std::to_string(i) + " TEXT CHARACTER SET " + c.charset;
    insert += ", _" + c.charset + " 0x" + c.hex + ", _" + c.charset + " 0x" + c.hex;
  }
  conn_->query("DROP TABLE IF EXISTS " + table, "drop");
  conn_->query(ddl + ")", "create");
  MySqlResult status = conn_->query("SHOW MASTER STATUS", "binlog position");
  ASSERT_EQ(status.size(), 1u);
  std::string file = status.get(0, 0);
  conn_->query(insert + ")", "insert");
  conn_->query("DROP TABLE " + table, "drop");

  cdc::testing::TempDir dir;
  PullBinlog(file, dir.path());
  BinlogFileReader reader((dir.path() / file).string());
  BinlogEventDecoder decoder;
  std::optional<RowImage> after;
  while (auto raw = reader.next()) {
    DecodedEvent ev = decoder.decode(*raw);
    auto* rows = std::get_if<RowsEvent>(&ev.body);
    if (!rows || rows->table->table != table) continue;
    ASSERT_EQ(rows->rows.size(), 1u);
    after = rows->rows[0].after;
  }
  ASSERT_TRUE(after.has_value()) << "no rows event for " << table;
  ASSERT_EQ(after->values.size(), 1 + 2 * columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    EXPECT_EQ(after->values[1 + 2 * i], Value(columns[i].expected)) << columns[i].charset;
    EXPECT_EQ(after->values[2 + 2 * i], Value(columns[i].expected))
        << columns[i].charset << " TEXT";
  }
}

}  // namespace
}  // namespace cdc::mysql
