// BinlogClient against the real MariaDB of the test services: dumps by
// file:position and by GTID, rotation, checksums, heartbeats, interrupt()
// and the error kinds. The server is shared with tests running in
// parallel, so every test uses its own tables and replica server_id, never
// purges or resets binlogs, and checks positions per event against SHOW
// BINLOG EVENTS instead of assuming it is the only writer.
#include "sources/mysql/binlog_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <map>
#include <stdexcept>
#include <thread>

#include "sources/mysql/binlog_event_decoder.h"
#include "tests/support/test_support.h"

namespace cdc::mysql {
namespace {

using Clock = std::chrono::steady_clock;

struct Received {
  BinlogEvent raw;
  DecodedEvent decoded;
};

// A TCP relay between the client and the real server, so a test can make
// the server fall silent (stop relaying, keep the sockets) or vanish (close
// them) without touching the shared server.
class Relay {
 public:
  explicit Relay(uint16_t target_port) : target_port_(target_port) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr = Loopback(0);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 4) != 0) {
      throw std::runtime_error("relay: cannot listen");
    }
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Run(); });
  }
  ~Relay() {
    stop_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    thread_.join();
    ::close(listen_fd_);
  }
  uint16_t port() const { return port_; }
  void freeze() { frozen_ = true; }
  void cut() { cut_ = true; }

 private:
  static sockaddr_in Loopback(uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    return addr;
  }

  void Run() {
    int client = ::accept(listen_fd_, nullptr, nullptr);
    if (client < 0) return;
    int server = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr = Loopback(target_port_);
    if (::connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      Pump(client, server);
    }
    ::close(server);
    ::close(client);
  }

  void Pump(int client, int server) {
    char buf[65536];
    while (!stop_ && !cut_) {
      pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
      if (::poll(fds, 2, 50) < 0) return;
      if (frozen_) continue;  // sockets stay open, nothing moves
      for (int i = 0; i < 2; ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
        if (n <= 0) return;
        if (::send(fds[1 - i].fd, buf, static_cast<size_t>(n), MSG_NOSIGNAL) != n) return;
      }
    }
  }

  uint16_t target_port_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false}, frozen_{false}, cut_{false};
  std::thread thread_;
};

class BinlogClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CDCD_SERVICE_ENV_OR_SKIP(host, "mariadb", "CDCD_TEST_MYSQL_HOST");
    CDCD_SERVICE_ENV_OR_SKIP(port, "mariadb", "CDCD_TEST_MYSQL_PORT");
    CDCD_SERVICE_ENV_OR_SKIP(user, "mariadb", "CDCD_TEST_MYSQL_USER");
    CDCD_SERVICE_ENV_OR_SKIP(password, "mariadb", "CDCD_TEST_MYSQL_PASSWORD");
    CDCD_SERVICE_ENV_OR_SKIP(database, "mariadb", "CDCD_TEST_MYSQL_DATABASE");
    connect_.host = host;
    connect_.port = static_cast<uint16_t>(std::stoi(port));
    connect_.user = user;
    connect_.password = password;
    connect_.ssl_mode = "disabled";
    database_ = database;
    admin_ = std::make_unique<MySqlConnection>(connect_, "test admin");
  }

  void TearDown() override {
    for (const std::string& t : tables_) Exec("DROP TABLE IF EXISTS " + t);
  }

  void Exec(const std::string& sql) { admin_->query(sql, sql); }

  // A table of this test process: (id INT key, name VARCHAR, amount BIGINT).
  std::string MakeTable(const std::string& stem) {
    std::string name = stem + "_" + std::to_string(getpid());
    std::string qualified = database_ + "." + name;
    Exec("DROP TABLE IF EXISTS " + qualified);
    Exec("CREATE TABLE " + qualified +
         " (id INT PRIMARY KEY, name VARCHAR(20), amount BIGINT) ENGINE=InnoDB");
    tables_.push_back(qualified);
    return name;
  }

  std::pair<std::string, uint64_t> MasterStatus() {
    MySqlResult r = admin_->query("SHOW MASTER STATUS", "SHOW MASTER STATUS");
    return {r.get(0, 0), std::stoull(r.get(0, 1))};
  }

  // Parallel test processes each get their own replica ids: the server
  // drops an older dump connection with the same server_id.
  BinlogClientOptions Options(std::chrono::milliseconds heartbeat = std::chrono::seconds(1)) {
    BinlogClientOptions o;
    o.connect = connect_;
    o.server_id = 100000 + static_cast<uint32_t>(getpid() % 100000) * 16 + next_id_++;
    o.heartbeat_period = heartbeat;
    o.context = "binlog client test";
    return o;
  }

  // Reads and decodes events until `done` says so; false on a 20 s timeout
  // (heartbeats wake the loop up while the server is idle).
  bool ReadUntil(BinlogClient& client, std::vector<Received>& out,
                 const std::function<bool(const Received&)>& done) {
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    while (Clock::now() < deadline) {
      std::optional<BinlogEvent> ev = client.next();
      if (!ev) return false;
      DecodedEvent d = decoder_.decode(*ev);
      out.push_back(Received{std::move(*ev), std::move(d)});
      if (done(out.back())) return true;
    }
    return false;
  }

  // Done after `n` rows events of `table` and the XID that commits the last.
  std::function<bool(const Received&)> AfterRowsEvents(const std::string& table, size_t n) {
    auto seen = std::make_shared<size_t>(0);
    return [table, n, seen](const Received& r) {
      if (auto* rows = std::get_if<RowsEvent>(&r.decoded.body)) {
        if (rows->table->table == table) ++*seen;
        return false;
      }
      return *seen == n && std::holds_alternative<XidEvent>(r.decoded.body);
    };
  }

  // Every positioned event must be where SHOW BINLOG EVENTS says an event
  // starts, in the file we attributed it to, with the same end position.
  // (A GTID dump skips the transactions before the start, so the positions
  // received need not be contiguous.)
  void ExpectServerPositions(const std::vector<Received>& events) {
    std::map<std::string, std::vector<const BinlogEvent*>> by_file;
    for (const Received& r : events) {
      if (r.raw.position != 0) by_file[r.raw.file].push_back(&r.raw);
    }
    ASSERT_FALSE(by_file.empty());
    for (const auto& [file, evs] : by_file) {
      MySqlResult r = admin_->query("SHOW BINLOG EVENTS IN " + admin_->quote(file) + " FROM " +
                                        std::to_string(evs.front()->position),
                                    "SHOW BINLOG EVENTS");
      std::map<uint64_t, uint64_t> end_of;  // Pos -> End_log_pos
      for (size_t i = 0; i < r.size(); ++i) {
        EXPECT_EQ(r.get(i, 0), file);
        end_of[std::stoull(r.get(i, 1))] = std::stoull(r.get(i, 4));
      }
      for (const BinlogEvent* e : evs) {
        auto it = end_of.find(e->position);
        ASSERT_NE(it, end_of.end()) << "no event starts at " << e->where();
        EXPECT_EQ(it->second, e->header.log_pos) << e->where();
      }
    }
  }

  // A file:position dump skips nothing: each positioned event starts where
  // the previous one in its file ended.
  static void ExpectContiguous(const std::vector<Received>& events) {
    std::map<std::string, uint64_t> end_in;
    for (const Received& r : events) {
      if (r.raw.position == 0) continue;
      auto it = end_in.find(r.raw.file);
      if (it != end_in.end()) {
        EXPECT_EQ(r.raw.position, it->second) << r.raw.where();
      }
      end_in[r.raw.file] = r.raw.header.log_pos;
    }
  }

  static std::vector<const RowsEvent*> RowsOf(const std::vector<Received>& events,
                                              const std::string& table) {
    std::vector<const RowsEvent*> out;
    for (const Received& r : events) {
      auto* rows = std::get_if<RowsEvent>(&r.decoded.body);
      if (rows && rows->table->table == table) out.push_back(rows);
    }
    return out;
  }

  static std::vector<Value> Vals(int64_t id, const char* name, int64_t amount) {
    return {Value(id), Value(name), Value(amount)};
  }

  MySqlConnectOptions connect_;
  std::string database_;
  std::unique_ptr<MySqlConnection> admin_;
  std::vector<std::string> tables_;
  BinlogEventDecoder decoder_;
  uint32_t next_id_ = 0;
};

TEST_F(BinlogClientTest, FilePositionDumpDecodesRowsAtServerPositions) {
  const std::string table = MakeTable("bc_rows");
  const std::string qualified = database_ + "." + table;
  const auto [file, pos] = MasterStatus();
  const std::string insert = "INSERT INTO " + qualified + " VALUES (1, 'a', 10), (2, 'b', 20)";
  Exec(insert);
  Exec("UPDATE " + qualified + " SET name = 'bb' WHERE id = 2");
  Exec("DELETE FROM " + qualified + " WHERE id = 1");

  BinlogClient client(Options(), BinlogStart{"", file, pos});
  EXPECT_TRUE(client.is_mariadb());
  std::vector<Received> events;
  ASSERT_TRUE(ReadUntil(client, events, AfterRowsEvents(table, 3)));

  // The dump starts with the server's artificial ROTATE naming the file.
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].raw.header.type, kRotateEvent);
  EXPECT_EQ(events[0].raw.position, 0u);
  EXPECT_EQ(events[0].raw.file, file);
  EXPECT_EQ(std::get<RotateEvent>(events[0].decoded.body).position, pos);

  std::vector<const RowsEvent*> rows = RowsOf(events, table);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0]->kind, RowsEvent::Kind::kInsert);
  ASSERT_EQ(rows[0]->rows.size(), 2u);
  EXPECT_EQ(rows[0]->rows[0].after->values, Vals(1, "a", 10));
  EXPECT_EQ(rows[0]->rows[1].after->values, Vals(2, "b", 20));
  EXPECT_EQ(rows[1]->kind, RowsEvent::Kind::kUpdate);
  ASSERT_EQ(rows[1]->rows.size(), 1u);
  EXPECT_EQ(rows[1]->rows[0].before->values, Vals(2, "b", 20));
  EXPECT_EQ(rows[1]->rows[0].after->values, Vals(2, "bb", 20));
  EXPECT_EQ(rows[2]->kind, RowsEvent::Kind::kDelete);
  ASSERT_EQ(rows[2]->rows.size(), 1u);
  EXPECT_EQ(rows[2]->rows[0].before->values, Vals(1, "a", 10));

  // ANNOTATE_ROWS (asked for with the dump flag) carries the statement.
  bool annotated = false;
  for (const Received& r : events) {
    auto* a = std::get_if<AnnotateRowsEvent>(&r.decoded.body);
    if (a && a->query == insert) annotated = true;
  }
  EXPECT_TRUE(annotated);

  // The first positioned event is the one at the requested start.
  for (const Received& r : events) {
    if (r.raw.position == 0) continue;
    EXPECT_EQ(r.raw.file, file);
    EXPECT_EQ(r.raw.position, pos);
    break;
  }
  ExpectContiguous(events);
  ExpectServerPositions(events);
}

TEST_F(BinlogClientTest, ChecksumsAreVerifiedAndStripped) {
  ASSERT_EQ(admin_->query("SELECT @@global.binlog_checksum", "checksum").get(0, 0), "CRC32");
  const std::string table = MakeTable("bc_crc");
  const auto [file, pos] = MasterStatus();
  Exec("INSERT INTO " + database_ + "." + table + " VALUES (7, 'seven', 77)");

  BinlogClientOptions options = Options();
  ASSERT_TRUE(options.verify_checksums);
  BinlogClient client(options, BinlogStart{"", file, pos});
  std::vector<Received> events;
  ASSERT_TRUE(ReadUntil(client, events, AfterRowsEvents(table, 1)));
  bool saw_fde = false;
  for (const Received& r : events) {
    if (auto* fde = std::get_if<FormatDescription>(&r.decoded.body)) {
      saw_fde = true;
      EXPECT_EQ(fde->checksum_alg, ChecksumAlg::kCrc32);
    } else {
      // Every other event came with its 4-byte CRC32, now removed.
      EXPECT_EQ(r.raw.header.event_size, kEventHeaderSize + r.raw.body.size() + 4)
          << EventTypeName(r.raw.header.type);
    }
  }
  EXPECT_TRUE(saw_fde);
  std::vector<const RowsEvent*> rows = RowsOf(events, table);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]->rows.at(0).after->values, Vals(7, "seven", 77));
}

TEST_F(BinlogClientTest, GtidDumpYieldsOnlyLaterTransactions) {
  const std::string table = MakeTable("bc_gtid");
  const std::string qualified = database_ + "." + table;
  Exec("INSERT INTO " + qualified + " VALUES (1, 'before', 1)");
  const std::string start = admin_->query("SELECT @@gtid_binlog_pos", "gtid").get(0, 0);
  ASSERT_FALSE(start.empty());
  std::vector<std::string> gtids;
  for (int id : {2, 3}) {
    Exec("INSERT INTO " + qualified + " VALUES (" + std::to_string(id) + ", 'after', 1)");
    gtids.push_back(admin_->query("SELECT @@last_gtid", "last_gtid").get(0, 0));
  }

  BinlogClient client(Options(), BinlogStart{start, "", 4});
  std::vector<Received> events;
  ASSERT_TRUE(ReadUntil(client, events, AfterRowsEvents(table, 2)));

  // Each of our rows events follows the GTID event of its transaction.
  std::vector<std::string> row_gtids;
  std::vector<int64_t> ids;
  std::string last_gtid;
  for (const Received& r : events) {
    if (auto* g = std::get_if<MariaGtidEvent>(&r.decoded.body)) {
      last_gtid = std::to_string(g->domain_id) + "-" + std::to_string(g->server_id) + "-" +
                  std::to_string(g->sequence);
      // Nothing at or before the start GTID (one domain, strict mode).
      EXPECT_GT(g->sequence, std::stoull(start.substr(start.rfind('-') + 1))) << last_gtid;
    }
    auto* rows = std::get_if<RowsEvent>(&r.decoded.body);
    if (rows && rows->table->table == table) {
      row_gtids.push_back(last_gtid);
      ids.push_back(rows->rows.at(0).after->values.at(0).as<int64_t>());
    }
  }
  EXPECT_EQ(row_gtids, gtids);
  EXPECT_EQ(ids, (std::vector<int64_t>{2, 3}));
  ExpectServerPositions(events);
}

TEST_F(BinlogClientTest, FlushBinaryLogsIsFollowed) {
  const std::string table = MakeTable("bc_rotate");
  const std::string qualified = database_ + "." + table;
  const auto [file, pos] = MasterStatus();
  Exec("INSERT INTO " + qualified + " VALUES (1, 'old file', 1)");
  Exec("FLUSH BINARY LOGS");
  Exec("INSERT INTO " + qualified + " VALUES (2, 'new file', 2)");

  BinlogClient client(Options(), BinlogStart{"", file, pos});
  std::vector<Received> events;
  ASSERT_TRUE(ReadUntil(client, events, AfterRowsEvents(table, 2)));

  std::vector<std::string> row_files;
  const Received* rotate = nullptr;
  const Received* new_fde = nullptr;
  for (const Received& r : events) {
    auto* rows = std::get_if<RowsEvent>(&r.decoded.body);
    if (rows && rows->table->table == table) row_files.push_back(r.raw.file);
    if (r.raw.header.type == kRotateEvent && r.raw.position != 0 && !rotate) rotate = &r;
    if (rotate && !new_fde && r.raw.header.type == kFormatDescriptionEvent) new_fde = &r;
  }
  ASSERT_NE(rotate, nullptr);
  const RotateEvent& rot = std::get<RotateEvent>(rotate->decoded.body);
  // The real ROTATE ends the old file; the new file starts with its FDE at 4.
  EXPECT_EQ(rotate->raw.file, file);
  EXPECT_EQ(rot.position, 4u);
  EXPECT_NE(rot.next_file, file);
  ASSERT_NE(new_fde, nullptr);
  EXPECT_EQ(new_fde->raw.file, rot.next_file);
  EXPECT_EQ(new_fde->raw.position, 4u);
  ASSERT_EQ(row_files.size(), 2u);
  EXPECT_EQ(row_files[0], file);
  EXPECT_NE(row_files[1], file);
  EXPECT_EQ(client.current_file(), row_files[1]);
  ExpectContiguous(events);
  ExpectServerPositions(events);
}

TEST_F(BinlogClientTest, HeartbeatsArriveWhileIdle) {
  const auto [file, pos] = MasterStatus();
  BinlogClient client(Options(std::chrono::milliseconds(200)), BinlogStart{"", file, pos});
  std::vector<Received> events;
  size_t heartbeats = 0;
  ASSERT_TRUE(ReadUntil(client, events, [&](const Received& r) {
    if (r.raw.header.type != kHeartbeatEvent) return false;
    EXPECT_EQ(r.raw.position, 0u);
    EXPECT_EQ(r.raw.file, client.current_file());
    // MariaDB's heartbeat names the current file and position.
    EXPECT_EQ(r.raw.body, client.current_file());
    EXPECT_GE(r.raw.header.log_pos, 4u);
    return ++heartbeats == 3;
  }));
}

TEST_F(BinlogClientTest, InterruptUnblocksNextPromptly) {
  const auto [file, pos] = MasterStatus();
  // No heartbeats: an idle server leaves next() blocked indefinitely.
  BinlogClient client(Options(std::chrono::milliseconds(0)), BinlogStart{"", file, pos});
  std::atomic<bool> ended{false};
  std::string error;
  std::thread reader([&] {
    try {
      while (client.next()) {
      }
      ended = true;
    } catch (const std::exception& e) {
      error = e.what();
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto t0 = Clock::now();
  client.interrupt();
  reader.join();
  const auto elapsed = Clock::now() - t0;
  EXPECT_TRUE(ended) << error;
  EXPECT_LT(elapsed, std::chrono::seconds(1));
  EXPECT_FALSE(client.next().has_value());
}

TEST_F(BinlogClientTest, SilentServerIsTransientAfterThreeHeartbeatPeriods) {
  const auto [file, pos] = MasterStatus();
  Relay relay(connect_.port);
  BinlogClientOptions options = Options(std::chrono::milliseconds(500));
  options.connect.port = relay.port();
  BinlogClient client(options, BinlogStart{"", file, pos});
  // Heartbeats flow through the relay while it relays.
  std::vector<Received> events;
  ASSERT_TRUE(ReadUntil(client, events,
                        [](const Received& r) { return r.raw.header.type == kHeartbeatEvent; }));
  relay.freeze();
  const auto t0 = Clock::now();
  try {
    while (client.next()) {
    }
    FAIL() << "next() returned nullopt without interrupt()";
  } catch (const TransientError& e) {
    // Read timeout: ceil(3 x 0.5 s) = 2 s after the last byte.
    const auto elapsed = Clock::now() - t0;
    EXPECT_GE(elapsed, std::chrono::milliseconds(1000)) << e.what();
    EXPECT_LT(elapsed, std::chrono::milliseconds(4000)) << e.what();
    EXPECT_NE(std::string(e.what()).find("binlog client test: reading the binlog stream after " +
                                         client.current_file() + ":"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(BinlogClientTest, LostConnectionIsTransient) {
  const auto [file, pos] = MasterStatus();
  Relay relay(connect_.port);
  BinlogClientOptions options = Options(std::chrono::milliseconds(500));
  options.connect.port = relay.port();
  BinlogClient client(options, BinlogStart{"", file, pos});
  std::vector<Received> events;
  ASSERT_TRUE(ReadUntil(client, events,
                        [](const Received& r) { return r.raw.header.type == kHeartbeatEvent; }));
  relay.cut();
  EXPECT_THROW(
      {
        while (client.next()) {
        }
      },
      TransientError);
}

TEST_F(BinlogClientTest, MissingStartFileIsPurgedError) {
  try {
    BinlogClient client(Options(), BinlogStart{"", "binlog.999999", 4});
    FAIL() << "expected an error";
  } catch (const TransientError& e) {
    FAIL() << "not transient: " << e.what();
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("binlog.999999:4 is no longer on the server"), std::string::npos) << what;
    EXPECT_NE(what.find("purged"), std::string::npos) << what;
    EXPECT_NE(what.find("re-snapshot"), std::string::npos) << what;
    EXPECT_NE(what.find("snapshot: always"), std::string::npos) << what;
  }
}

TEST_F(BinlogClientTest, UnknownGtidIsPurgedError) {
  try {
    BinlogClient client(Options(), BinlogStart{"0-1-999999999", "", 4});
    FAIL() << "expected an error";
  } catch (const TransientError& e) {
    FAIL() << "not transient: " << e.what();
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("GTID 0-1-999999999 is no longer on the server"), std::string::npos)
        << what;
    EXPECT_NE(what.find("re-snapshot"), std::string::npos) << what;
  }
}

// A position past the end of an existing file (a failover to a server whose
// binlog is shorter) is not "purged": the message says what it is.
TEST_F(BinlogClientTest, PositionPastTheEndOfTheFileSaysSo) {
  const auto [file, pos] = MasterStatus();
  const uint64_t past = pos + 100000000;
  try {
    BinlogClient client(Options(), BinlogStart{"", file, past});
    while (client.next()) {
    }
    FAIL() << "expected an error";
  } catch (const TransientError& e) {
    FAIL() << "not transient: " << e.what();
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(file + ":" + std::to_string(past) + " is past the end of " + file +
                        " on the server"),
              std::string::npos)
        << what;
    EXPECT_EQ(what.find("purged"), std::string::npos) << what;
  }
}

// MySQL's texts for error 1236, which MariaDB does not send the same way:
// each gets its own message.
TEST(FatalReadMessageTest, NamesEachCauseOfError1236) {
  const std::string same_id =
      FatalReadMessage("mysql source (pipeline p)", "binlog.000007:4",
                       "A replica with the same server_uuid/server_id as this replica has "
                       "connected to the source; the first event 'binlog.000007' at 4");
  EXPECT_NE(same_id.find("newer one with the same server_id"), std::string::npos) << same_id;
  EXPECT_EQ(same_id.find("re-snapshot"), std::string::npos) << same_id;
  const std::string past =
      FatalReadMessage("c", "binlog.000007:999",
                       "Client requested source to start replication from position > file size");
  EXPECT_EQ(past.rfind("c: binlog position binlog.000007:999 is past the end of binlog.000007", 0),
            0u)
      << past;
  const std::string purged = FatalReadMessage(
      "c", "GTID 3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5",
      "Cannot replicate because the source purged required binary logs. Replicate the missing "
      "transactions from elsewhere");
  EXPECT_NE(purged.find("is no longer on the server"), std::string::npos) << purged;
  EXPECT_NE(purged.find("snapshot: always"), std::string::npos) << purged;
  const std::string other = FatalReadMessage("c", "binlog.000007:4",
                                             "binlog truncated in the "
                                             "middle of event; consider out of disk space");
  EXPECT_EQ(other,
            "c: the server cannot send the binlog from binlog.000007:4: binlog truncated "
            "in the middle of event; consider out of disk space (1236)");
}

TEST_F(BinlogClientTest, WrongPasswordIsServerError) {
  BinlogClientOptions options = Options();
  options.connect.password = "wrong-password";
  try {
    BinlogClient client(options, BinlogStart{"", "", 4});
    FAIL() << "expected an error";
  } catch (const MySqlServerError& e) {
    EXPECT_EQ(e.code(), 1045u) << e.what();
    EXPECT_NE(std::string(e.what()).find("binlog client test: connecting to"), std::string::npos)
        << e.what();
  }
}

TEST_F(BinlogClientTest, NothingListeningIsTransient) {
  // A port that was just free: bind, read the number, close.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);
  BinlogClientOptions options = Options();
  options.connect.port = ntohs(addr.sin_port);
  EXPECT_THROW(BinlogClient(options, BinlogStart{"", "", 4}), TransientError);
}

TEST_F(BinlogClientTest, UnresolvableHostIsTransient) {
  // A sidecar may start before its database's name resolves (a Kubernetes
  // service, a DNS record being created): retried, not fatal.
  BinlogClientOptions options = Options();
  options.connect.host = "cdcd-no-such-host.invalid";
  try {
    BinlogClient client(options, BinlogStart{"", "", 4});
    FAIL() << "connected to a host that does not exist";
  } catch (const TransientError& e) {
    EXPECT_NE(std::string(e.what()).find("(2005)"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace cdc::mysql
