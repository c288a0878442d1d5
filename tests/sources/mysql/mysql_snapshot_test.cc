// MySqlSnapshot against the real MariaDB of the ctest fixture. Tables are
// suffixed with the test process id: other tests share the server.
#include "sources/mysql/mysql_snapshot.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <thread>

#include "sources/mysql/mysql_schema.h"
#include "tests/sources/mysql/binlog_fixtures.h"
#include "tests/support/test_support.h"

namespace cdc::mysql {
namespace {

using cdc::testing::CollectingEmitter;

constexpr int64_t kDay = 86400LL * 1000000;

// The fixture server, from the env file of `svc start mariadb`.
struct MySqlTestEnv {
  MySqlConnectOptions connect;
  std::string database;
  std::string data_dir;  // the server's datadir (binlog files)

  static std::optional<MySqlTestEnv> Load() {
    auto get = [](const char* key) { return cdc::testing::ServiceEnv("mariadb", key); };
    auto host = get("CDCD_TEST_MYSQL_HOST"), port = get("CDCD_TEST_MYSQL_PORT");
    if (!host || !port) return std::nullopt;
    MySqlTestEnv e;
    e.connect.host = *host;
    e.connect.port = static_cast<uint16_t>(std::stoi(*port));
    e.connect.user = get("CDCD_TEST_MYSQL_USER").value_or("cdc");
    e.connect.password = get("CDCD_TEST_MYSQL_PASSWORD").value_or("");
    e.connect.ssl_mode = "disabled";
    e.database = get("CDCD_TEST_MYSQL_DATABASE").value_or("cdcd_test");
    e.data_dir = get("CDCD_TEST_MYSQL_DIR").value_or("") + "/data";
    return e;
  }
};

class MySqlSnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = MySqlTestEnv::Load();
    if (!env_) {
      if (cdc::testing::ServicesRequired()) FAIL() << "service mariadb is not running";
      GTEST_SKIP() << "service mariadb is not running";
    }
    admin_ = std::make_unique<MySqlConnection>(env_->connect, "test admin");
    admin_->query("SET SESSION time_zone = '+00:00', sql_mode = ''", "session");
    admin_->query("USE " + env_->database, "use");
  }
  void TearDown() override {
    if (!admin_) return;
    for (const auto& t : created_) admin_->query("DROP TABLE IF EXISTS " + t, "drop");
  }
  // A table name of this process, created by `ddl` ("(...) options").
  std::string Create(const std::string& base, const std::string& ddl) {
    std::string name = base + "_" + std::to_string(getpid());
    admin_->query("DROP TABLE IF EXISTS " + name, "drop");
    admin_->query("CREATE TABLE " + name + " " + ddl, "create " + name);
    created_.push_back(name);
    return name;
  }
  MySqlSourceOptions Options(const std::vector<std::string>& tables, int workers = 2,
                             int64_t chunk = 10000) {
    MySqlSourceOptions o;
    o.pipeline = "snaptest";
    o.connect = env_->connect;
    for (const auto& t : tables) o.tables.push_back(env_->database + "." + t);
    o.snapshot.workers = workers;
    o.snapshot.chunk_size = chunk;
    return o;
  }
  // Runs a whole snapshot of `o` from `progress` (point set here).
  std::vector<ChangeEvent> Run(const MySqlSourceOptions& o, SnapshotProgress progress = {},
                               BinlogPoint* point = nullptr) {
    MySqlSnapshot snap(o);
    BinlogPoint p = snap.open();
    if (point) *point = p;
    progress.point = p.to_json();
    CollectingEmitter out;
    EXPECT_TRUE(snap.run(progress, Offset{p.label(), 0, nullptr}, false, out, {}));
    return std::move(out.events);
  }

  std::optional<MySqlTestEnv> env_;
  std::unique_ptr<MySqlConnection> admin_;
  std::vector<std::string> created_;
};

std::vector<int64_t> Ints(const std::vector<ChangeEvent>& evs, size_t column) {
  std::vector<int64_t> out;
  for (const auto& e : evs) out.push_back(e.after->values.at(column).as<int64_t>());
  return out;
}

TEST_F(MySqlSnapshotTest, EveryTypeMatchesTheBinlogDecoder) {
  const std::string t = Create("snap_types", R"((
    id INT NOT NULL PRIMARY KEY, ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT,
    mi MEDIUMINT UNSIGNED, bi BIGINT, bu BIGINT UNSIGNED, f FLOAT, d DOUBLE, dc DECIMAL(10,3),
    y YEAR, dt DATE, tm TIME(3), tm2 TIME, dtm DATETIME(6), ts TIMESTAMP(2) NULL,
    vc VARCHAR(20), lat VARCHAR(10) CHARACTER SET latin1, ch CHAR(4), bin BINARY(3),
    vb VARBINARY(8), tx TEXT, bl BLOB, e ENUM('x','y''s'), s SET('a','b','c'), b BIT(10),
    j JSON, g POINT, zd DATETIME, n INT) DEFAULT CHARSET=utf8mb4)");
  admin_->query("INSERT INTO " + t + R"( VALUES (1, -128, 255, -32768, 16777215,
    -9223372036854775808, 18446744073709551615, 3.14159274, 0.1, -1234.5, 2024, '2024-02-29',
    '-837:59:59.500', '25:00:00', '2024-02-29 12:34:56.123456', '1970-01-01 00:00:01.50',
    'héllo', 'é', 'ab', 'ab', X'00FF10', 'text', X'DEADBEEF', 'y''s', 'c,a',
    b'1000000001', '{"a": [1, 2]}', ST_GeomFromText('POINT(1 2)', 4326), '0000-00-00 00:00:00',
    NULL))",
                "insert");
  const std::string file = admin_->query("SHOW MASTER STATUS", "status").get(0, 0);
  MySqlSourceOptions o = Options({t});
  o.zero_dates = ZeroDatePolicy::kString;
  std::vector<ChangeEvent> evs = Run(o);
  ASSERT_EQ(evs.size(), 1u);
  const std::vector<Value>& v = evs[0].after->values;
  const std::string wkb(  // SRID 4326, then WKB
      "\xe6\x10\x00\x00\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf0\x3f\x00\x00\x00\x00\x00"
      "\x00\x00\x40",
      25);
  const std::vector<Value> expected = {Value(int64_t{1}),
                                       Value(int64_t{-128}),
                                       Value(int64_t{255}),
                                       Value(int64_t{-32768}),
                                       Value(int64_t{16777215}),
                                       Value(std::numeric_limits<int64_t>::min()),
                                       Value(std::numeric_limits<uint64_t>::max()),
                                       Value(static_cast<double>(3.14159274f)),
                                       Value(0.1),
                                       Value(Decimal{"-1234.500"}),
                                       Value(int64_t{2024}),
                                       Value(Date{19782}),
                                       Value(Time{-3016799500000LL}),
                                       Value(Time{90000000000LL}),
                                       Value(Timestamp{19782 * kDay + 45296000000LL + 123456}),
                                       Value(TimestampTz{1500000}),
                                       Value("h\xc3\xa9llo"),
                                       Value("\xc3\xa9"),
                                       Value("ab"),
                                       Value(Bytes{std::string("ab\0", 3)}),  // BINARY(3)
                                       Value(Bytes{std::string("\x00\xff\x10", 3)}),
                                       Value("text"),
                                       Value(Bytes{"\xde\xad\xbe\xef"}),
                                       Value("y's"),
                                       Value("a,c"),
                                       Value(Bytes{std::string("\x01\x02", 2)}),
                                       Value("{\"a\": [1, 2]}"),  // MariaDB's JSON is LONGTEXT
                                       Value(Bytes{wkb}),
                                       Value("0000-00-00 00:00:00"),
                                       Value::Null()};
  ASSERT_EQ(v.size(), expected.size());
  for (size_t i = 0; i < v.size(); ++i) {
    EXPECT_EQ(v[i], expected[i]) << evs[0].schema->columns()[i].name << ": " << v[i].debug_string();
  }
  EXPECT_EQ(evs[0].schema->key_columns(), std::vector<size_t>{0});
  EXPECT_EQ(evs[0].key(), std::vector<Value>{Value(int64_t{1})});
  EXPECT_EQ(evs[0].source.table, (TableId{env_->database, "", t}));
  EXPECT_EQ(evs[0].source.connector, "mariadb");  // as Debezium's MariaDB connector
  EXPECT_EQ(evs[0].source.server_name, "snaptest");

  // The same row as the binlog decoder reads it: same values, same schema.
  // (MariaDB 10.11 writes a signedness bit for YEAR columns, which MySQL
  // does not: a decoder that skips YEAR there shifts the later bits, and `n`
  // comes out "int unsigned" -- mariadb-binlog --print-table-metadata too.)
  testing::DecodedFile decoded =
      testing::DecodeBinlogFile(env_->data_dir + "/" + file, {ZeroDatePolicy::kString});
  const RowsEvent* rows = nullptr;
  for (const auto& ev : decoded.events) {
    if (auto* r = std::get_if<RowsEvent>(&ev.body); r && r->table->table == t) rows = r;
  }
  ASSERT_NE(rows, nullptr) << decoded.error.value_or("no rows event");
  EXPECT_EQ(rows->rows.at(0).after->values, v);
  const TableMapEvent& map = *rows->table;
  ASSERT_EQ(map.columns.size(), evs[0].schema->columns().size());
  for (size_t i = 0; i < map.columns.size(); ++i) {
    const Column a = ColumnFromTableMap(map.columns[i], i), &b = evs[0].schema->columns()[i];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.type, b.type) << a.name;
    EXPECT_EQ(a.source_type, b.source_type) << a.name;
    EXPECT_EQ(a.nullable, b.nullable) << a.name;
    EXPECT_EQ(a.length, b.length) << a.name;
    EXPECT_EQ(a.precision, b.precision) << a.name;
    EXPECT_EQ(a.scale, b.scale) << a.name;
    EXPECT_EQ(a.enum_values, b.enum_values) << a.name;
  }
  EXPECT_EQ(map.primary_key, evs[0].schema->key_columns());
}

TEST_F(MySqlSnapshotTest, CompositeKeyInTinyChunks) {
  const std::string t = Create("snap_comp", "(a INT, b VARCHAR(8), v INT, PRIMARY KEY (a, b))");
  admin_->query("INSERT INTO " + t +
                    " VALUES (2,'b',5),(1,'z',3),(1,'a',1),(2,'a',4),(1,'m',2),(3,'a',6),"
                    "(3,'b',7)",
                "insert");
  BinlogPoint point;
  std::vector<ChangeEvent> evs = Run(Options({t}, 2, 2), {}, &point);
  EXPECT_EQ(Ints(evs, 2), (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7}));
  for (size_t k = 0; k < evs.size(); ++k) {
    EXPECT_EQ(evs[k].id, "snapshot:" + point.label() + ":" + std::to_string(k));
  }
  const std::string name = env_->database + "." + t;
  EXPECT_EQ(evs[2].next.state["tables"][name],
            nlohmann::json::parse(R"({"last_key":["1","z"],"rows":3,"done":false})"));
  EXPECT_EQ(evs[2].next.state["point"], point.to_json());
  EXPECT_EQ(evs.back().next, (Offset{point.label(), 0, nullptr}));
  // Debezium's MariaDB source fields, in its order; a snapshot row has no
  // server, GTID or thread of its own.
  std::vector<std::string> names;
  for (const SourceField& f : evs[0].source.fields) names.push_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"server_id", "gtid", "file", "pos", "row", "thread",
                                             "query"}));
  const std::vector<SourceField>& f = evs[0].source.fields;
  EXPECT_EQ(f[0].value, Value(int64_t{0}));
  EXPECT_TRUE(f[1].value.is_null());
  EXPECT_EQ(f[2].value, Value(point.file));
  EXPECT_EQ(f[3].value, Value(static_cast<int64_t>(point.position)));
  EXPECT_EQ(f[4].value, Value(int64_t{0}));
  EXPECT_TRUE(f[5].value.is_null() && f[6].value.is_null());
  EXPECT_FALSE(f[2].optional || f[3].optional || f[4].optional);
}

// ENUM sorts by member index, not name: the resume key must compare the same way.
TEST_F(MySqlSnapshotTest, EnumKeyFollowsMemberOrder) {
  const std::string t = Create("snap_enum", "(e ENUM('z','a','m') NOT NULL PRIMARY KEY, v INT)");
  admin_->query("INSERT INTO " + t + " VALUES ('a',2),('m',3),('z',1)", "insert");
  std::vector<ChangeEvent> evs = Run(Options({t}, 1, 1));
  EXPECT_EQ(Ints(evs, 1), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(evs[0].next.state["tables"][env_->database + "." + t]["last_key"],
            nlohmann::json::parse(R"(["z"])"));
}

TEST_F(MySqlSnapshotTest, ResumesFromProgress) {
  const std::string done = Create("snap_done", "(id INT PRIMARY KEY)");
  const std::string half = Create("snap_half", "(id INT PRIMARY KEY, v VARCHAR(4))");
  admin_->query("INSERT INTO " + done + " VALUES (1),(2)", "insert");
  admin_->query("INSERT INTO " + half + " VALUES (1,'a'),(2,'b'),(3,'c'),(4,'d'),(5,'e')",
                "insert");
  SnapshotProgress p;
  p.tables[env_->database + "." + done] = {std::vector<std::string>{"2"}, 2, true};
  p.tables[env_->database + "." + half] = {std::vector<std::string>{"2"}, 2, false};
  std::vector<ChangeEvent> evs = Run(Options({done, half}, 2, 2), p);
  EXPECT_EQ(Ints(evs, 0), (std::vector<int64_t>{3, 4, 5}));
  EXPECT_EQ(evs[1].next.state["tables"][env_->database + "." + half],
            nlohmann::json::parse(R"({"last_key":["4"],"rows":4,"done":false})"));
  EXPECT_EQ(evs[0].source.snapshot, SnapshotMark::kFirst);
  EXPECT_EQ(evs[2].source.snapshot, SnapshotMark::kLast);
}

TEST_F(MySqlSnapshotTest, NoPrimaryKeyIsRefusedUnlessRereadIsAllowed) {
  const std::string t = Create("snap_nopk", "(v INT)");
  admin_->query("INSERT INTO " + t + " VALUES (1),(2),(3),(4),(5)", "insert");
  MySqlSourceOptions refusing = Options({t}, 1, 2);
  MySqlSnapshot snap(refusing);
  BinlogPoint point = snap.open();
  SnapshotProgress fresh;
  fresh.point = point.to_json();
  CollectingEmitter nothing;
  try {
    snap.run(fresh, Offset{point.label(), 0, nullptr}, false, nothing, {});
    ADD_FAILURE() << "a keyless table was snapshotted by default";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(env_->database + "." + t + " has no primary key"),
              std::string::npos)
        << e.what();
  }
  EXPECT_TRUE(nothing.events.empty());

  SnapshotProgress p;
  p.tables[env_->database + "." + t] = {std::nullopt, 3, false};  // re-read whole
  MySqlSourceOptions o = Options({t}, 1, 2);
  o.snapshot.reread_keyless = true;
  std::vector<ChangeEvent> evs = Run(o, p);
  std::vector<int64_t> got = Ints(evs, 0);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<int64_t>{1, 2, 3, 4, 5}));
  EXPECT_TRUE(evs[0].schema->key_columns().empty());
  EXPECT_EQ(evs[3].next.state["tables"][env_->database + "." + t],
            nlohmann::json::parse(R"({"last_key":null,"rows":4,"done":false})"));
}

TEST_F(MySqlSnapshotTest, PointIsConsistentUnderAConcurrentWriter) {
  const std::string t = Create("snap_race", "(id INT PRIMARY KEY)");
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    MySqlConnection w(env_->connect, "writer");
    w.query("USE " + env_->database, "use");
    for (int i = 1; !stop; ++i) {
      w.query("INSERT INTO " + t + " VALUES (" + std::to_string(i) + ")", "insert");
      written = i;
    }
  });
  while (written < 50) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  MySqlSnapshot snap(Options({t}));
  const int before_open = written;
  const BinlogPoint point = snap.open();
  const int at_open = written;
  while (written < at_open + 50) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  stop = true;
  writer.join();
  SnapshotProgress p;
  p.point = point.to_json();
  CollectingEmitter out;
  ASSERT_TRUE(snap.run(p, Offset{point.label(), 0, nullptr}, false, out, {}));
  // Rows 1..n exactly: every row committed before the point, none after.
  const std::vector<int64_t> ids = Ints(out.events, 0);
  ASSERT_FALSE(ids.empty());
  const int64_t n = ids.back();
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ids[i], static_cast<int64_t>(i + 1));
  EXPECT_GE(n, before_open);
  EXPECT_LE(n, at_open);
  // The first of this table's transactions after the point inserts n + 1.
  MySqlResult events = admin_->query("SHOW BINLOG EVENTS IN '" + point.file + "' FROM " +
                                         std::to_string(point.position) + " LIMIT 2000",
                                     "binlog events");
  ASSERT_GT(events.size(), 0u);
  EXPECT_EQ(events.get(0, 2), "Gtid");  // the point is a transaction boundary
  std::string first_insert;
  for (size_t i = 0; i < events.size() && first_insert.empty(); ++i) {
    const std::string info = events.get(i, 5);
    if (events.get(i, 2) == "Annotate_rows" && info.find(t) != std::string::npos) {
      first_insert = info;
    }
  }
  EXPECT_NE(first_insert.find("VALUES (" + std::to_string(n + 1) + ")"), std::string::npos)
      << first_insert;
}

TEST_F(MySqlSnapshotTest, StopsWhenAsked) {
  const std::string t = Create("snap_stop", "(id INT PRIMARY KEY)");
  admin_->query("INSERT INTO " + t + " VALUES (1),(2),(3)", "insert");
  MySqlSnapshot snap(Options({t}, 1, 1));
  SnapshotProgress p;
  p.point = snap.open().to_json();
  std::stop_source stop;
  stop.request_stop();
  CollectingEmitter out;
  EXPECT_FALSE(snap.run(p, Offset{}, false, out, stop.get_token()));
  EXPECT_TRUE(out.events.empty());
  EXPECT_THROW(snap.run(p, Offset{}, false, out, {}), Error);  // transactions ended
}

TEST(BinlogPointTest, JsonRoundTrip) {
  BinlogPoint p{"binlog.000003", 1234, "0-1-42"};
  EXPECT_EQ(p.to_json(), nlohmann::json::parse(R"({"file":"binlog.000003","pos":1234,
    "gtid":"0-1-42"})"));
  EXPECT_EQ(BinlogPoint::FromJson(p.to_json()), p);
  EXPECT_EQ(p.label(), "binlog.000003:1234");
  EXPECT_THROW(BinlogPoint::FromJson(nlohmann::json::object()), Error);
}

}  // namespace
}  // namespace cdc::mysql
