#include "sources/mysql/binlog_client.h"

#include <mariadb/mariadb_rpl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cmath>
#include <cstring>
#include <vector>

#include "cdc/error.h"
#include "sources/mysql/binlog_event_reader.h"
#include "sources/mysql/control_events.h"
#include "sources/mysql/gtid.h"

namespace cdc::mysql {
namespace {

constexpr uint16_t kArtificialFlag = 0x20;  // LOG_EVENT_ARTIFICIAL_F
constexpr size_t kChecksumSize = 4;
constexpr size_t kServerVersionOffset = 2;  // in the FDE body, after binlog_version
constexpr size_t kServerVersionLength = 50;
constexpr unsigned kErrMasterFatalReadingBinlog = 1236;  // ER_MASTER_FATAL_ERROR_READING_BINLOG
constexpr int kComBinlogDumpGtid = 0x1e;                 // MySQL only; not in Connector/C's enum
constexpr uint16_t kBinlogThroughGtid = 0x04;
constexpr unsigned kMariaSlaveCapabilityGtid = 4;  // MARIA_SLAVE_CAPABILITY_GTID

void PutLe(std::string& out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((value >> (8 * i)) & 0xff);
}

// The position a resume may use: artificial events (the ROTATE and FDE a
// dump starts with) and heartbeats do not sit at a real offset.
uint64_t EventPosition(const BinlogEventHeader& h) {
  if ((h.flags & kArtificialFlag) || h.type == kHeartbeatEvent || h.type == kHeartbeatEventV2 ||
      h.log_pos < h.event_size) {
    return 0;
  }
  return h.log_pos - h.event_size;
}

}  // namespace

struct BinlogClient::Impl {
  BinlogClientOptions options;
  std::unique_ptr<MySqlConnection> conn;
  MARIADB_RPL* rpl = nullptr;
  MARIADB_RPL_EVENT* event = nullptr;  // reused between fetches
  std::atomic<int> fd{-1};             // the connection's socket, for interrupt()
  bool mariadb = false;
  // Checksum algorithm of the events now arriving: the one announced to the
  // server until the first FORMAT_DESCRIPTION, then that event's.
  ChecksumAlg alg = ChecksumAlg::kOff;
  uint64_t reached = 0;  // end of the last positioned event in the current file
  std::string start_text;
  std::optional<BinlogEvent> pending;  // the first event, read by the constructor

  ~Impl() {
    if (event) mariadb_free_rpl_event(event);
    if (rpl) mariadb_rpl_close(rpl);
  }

  void Announce(const BinlogStart& start);
  void OpenDump(const BinlogStart& start);
  void SendMySqlGtidDump(const std::string& gtid);
  [[noreturn]] void FailFetch(const std::string& file);
  BinlogEvent ToEvent(const std::string& file);
  void HandleChecksum(BinlogEvent& event, std::string_view header_bytes);
};

// Session variables the dump thread reads when the dump starts.
void BinlogClient::Impl::Announce(const BinlogStart& start) {
  MySqlResult r = conn->query("SELECT @@global.binlog_checksum", "reading binlog_checksum");
  alg = r.get(0, 0) == "CRC32" ? ChecksumAlg::kCrc32 : ChecksumAlg::kOff;
  // Without it the server refuses to send checksummed events to a client it
  // takes for a pre-5.6 replica. MySQL 8.0.26+ reads the source_* names.
  conn->query(
      "SET @master_binlog_checksum = @@global.binlog_checksum, "
      "@source_binlog_checksum = @@global.binlog_checksum",
      "announcing the checksum algorithm");
  // Real GTID events instead of fake BEGIN queries (MariaDB).
  conn->query("SET @mariadb_slave_capability = " + std::to_string(kMariaSlaveCapabilityGtid),
              "announcing replica capabilities");
  if (options.heartbeat_period.count() > 0) {
    const std::string ns = std::to_string(
        std::chrono::duration_cast<std::chrono::nanoseconds>(options.heartbeat_period).count());
    conn->query("SET @master_heartbeat_period = " + ns + ", @source_heartbeat_period = " + ns,
                "setting the heartbeat period");
  }
  if (!start.gtid.empty() && mariadb) {
    conn->query(
        "SET @slave_connect_state = " + conn->quote(start.gtid) + ", @slave_gtid_strict_mode = 1",
        "setting the GTID start position");
  }
}

void BinlogClient::Impl::SendMySqlGtidDump(const std::string& gtid) {
  std::string set;
  try {
    set = MySqlGtidSet::Parse(gtid).encode();
  } catch (const std::exception& e) {
    throw Error(options.context + ": GTID start '" + gtid + "': " + e.what());
  }
  std::string packet;
  PutLe(packet, kBinlogThroughGtid, 2);
  PutLe(packet, options.server_id, 4);
  PutLe(packet, 0, 4);  // no file name: the server finds the file from the set
  PutLe(packet, 4, 8);
  PutLe(packet, set.size(), 4);
  packet += set;
  MYSQL* m = conn->handle();
  if (m->methods->db_command(m, static_cast<enum_server_command>(kComBinlogDumpGtid), packet.data(),
                             packet.size(), 1, nullptr) != 0) {
    conn->fail("starting the binlog dump at GTID set " + gtid);
  }
}

void BinlogClient::Impl::OpenDump(const BinlogStart& start) {
  MYSQL* m = conn->handle();
  rpl = mariadb_rpl_init(m);
  if (!rpl) conn->fail("initialising the replication handle");
  mariadb_rpl_optionsv(rpl, MARIADB_RPL_SERVER_ID, static_cast<unsigned int>(options.server_id));
  // Blocking dump, heartbeats passed through; MariaDB sends ANNOTATE_ROWS
  // (the statement text) only when asked.
  unsigned int flags = mariadb ? MARIADB_RPL_BINLOG_SEND_ANNOTATE_ROWS : 0;
  mariadb_rpl_optionsv(rpl, MARIADB_RPL_FLAGS, flags);
  // Checksums are verified (or not) on the raw bytes in HandleChecksum.
  mariadb_rpl_optionsv(rpl, MARIADB_RPL_VERIFY_CHECKSUM, static_cast<uint32_t>(0));
  // A registered replica shows in SHOW SLAVE HOSTS, which helps operators.
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) std::strcpy(host, "cdcd");
  mariadb_rpl_optionsv(rpl, MARIADB_RPL_HOST, host);
  mariadb_rpl_optionsv(rpl, MARIADB_RPL_PORT, static_cast<uint32_t>(0));
  const bool by_gtid = !start.gtid.empty();
  const std::string file = by_gtid ? "" : start.file;
  const unsigned long pos = by_gtid ? 4 : static_cast<unsigned long>(start.position);
  mariadb_rpl_optionsv(rpl, MARIADB_RPL_FILENAME, file.c_str(), file.size());
  mariadb_rpl_optionsv(rpl, MARIADB_RPL_START, pos);
  if (by_gtid && !mariadb) {
    // Connector/C only sends COM_BINLOG_DUMP. MySQL does not require
    // COM_REGISTER_SLAVE, so the GTID dump goes without it.
    SendMySqlGtidDump(start.gtid);
  } else if (mariadb_rpl_open(rpl) != 0) {
    if (mysql_errno(m) != 0) conn->fail("starting the binlog dump at " + start_text);
    throw Error(options.context + ": starting the binlog dump at " + start_text + ": " +
                mariadb_rpl_error(rpl));
  }
  fd = static_cast<int>(mysql_get_socket(m));
}

std::string FatalReadMessage(const std::string& context, const std::string& where,
                             const std::string& server_text) {
  auto says = [&](const char* needle) { return server_text.find(needle) != std::string::npos; };
  const std::string head = context + ": binlog position " + where;
  const std::string tail = ": " + server_text + " (1236)";
  const std::string resnapshot =
      ". The pipeline must re-snapshot: remove the sink's committed offset for it or set "
      "snapshot: always";
  if (says("same server_uuid/server_id")) {
    return context +
           ": the server dropped this binlog connection for a newer one with the same "
           "server_id" +
           tail +
           ". Give every pipeline and replica reading this server its own server_id (is a "
           "second cdcd running this pipeline?)";
  }
  if (says("impossible position") || says("position > file size")) {
    const std::string file = where.substr(0, where.rfind(':'));
    return head + " is past the end of " + file +
           " on the server (a failover to a server whose binlog differs, or a binlog truncated "
           "after a crash)" +
           tail + resnapshot;
  }
  if (says("Could not find first log file") || says("purged") ||
      says("not in the master's binlog")) {
    return head + " is no longer on the server (binlog purged, or never written there)" + tail +
           resnapshot;
  }
  return context + ": the server cannot send the binlog from " + where + tail;
}

void BinlogClient::Impl::FailFetch(const std::string& file) {
  MYSQL* m = conn->handle();
  unsigned code = mysql_errno(m);
  std::string text = mysql_error(m);
  bool from_server = code < 2000 || (code >= 3000 && code < 5000);
  // Errors the library finds in an event (malformed, unknown type) are
  // only in the rpl handle; server and network errors only in the MYSQL.
  if (rpl && mariadb_rpl_errno(rpl) != 0) {
    code = mariadb_rpl_errno(rpl);
    text = mariadb_rpl_error(rpl);
    from_server = false;
  }
  const std::string where = file.empty() ? start_text : file + ":" + std::to_string(reached);
  const std::string msg = options.context + ": reading the binlog stream after " + where + ": " +
                          text + " (" + std::to_string(code) + ")";
  if (code == kErrMasterFatalReadingBinlog) {
    throw MySqlServerError(FatalReadMessage(options.context, where, text), code);
  }
  if (code == 0) throw TransientError(msg + ": the server ended the binlog stream");
  if (IsConnectionLost(code)) throw TransientError(msg);
  if (from_server) throw MySqlServerError(msg, code);
  throw Error(msg);
}

void BinlogClient::Impl::HandleChecksum(BinlogEvent& event, std::string_view header_bytes) {
  if (event.header.type != kFormatDescriptionEvent) {
    StripChecksum(event, header_bytes, alg, options.verify_checksums);
    return;
  }
  // As in BinlogFileReader: the FDE's own CRC follows its algorithm byte
  // when its server version knows checksums.
  if (event.body.size() < kServerVersionOffset + kServerVersionLength + kChecksumSize + 1) {
    throw Error(event.where() + ": truncated FORMAT_DESCRIPTION event");
  }
  std::string_view version(event.body.data() + kServerVersionOffset, kServerVersionLength);
  version = version.substr(0, version.find('\0'));
  if (ServerVersionHasChecksum(version)) {
    bool crc = event.body[event.body.size() - kChecksumSize - 1] == 1;
    StripChecksum(event, header_bytes, ChecksumAlg::kCrc32, crc && options.verify_checksums);
  }
  try {
    alg = ParseFormatDescription(event.body).checksum_alg;
  } catch (const Error& e) {
    throw Error(event.where() + ": " + e.what());
  }
}

// Builds the BinlogEvent from the packet's raw bytes (after the OK byte):
// the library's parsed fields are not trusted (it misreads later ROTATEs).
BinlogEvent BinlogClient::Impl::ToEvent(const std::string& file) {
  std::string_view raw(reinterpret_cast<const char*>(event->raw_data) + event->raw_data_ofs,
                       event->raw_data_size - event->raw_data_ofs);
  BinlogEvent out;
  out.file = file;
  if (raw.size() < kEventHeaderSize) {
    throw Error(options.context + ": " + file + ":" + std::to_string(reached) +
                ": binlog packet too short for an event header (" + std::to_string(raw.size()) +
                " bytes)");
  }
  out.header = ParseEventHeader(raw);
  out.position = EventPosition(out.header);
  if (out.header.event_size != raw.size()) {
    throw Error(options.context + ": " + out.where() + ": " + EventTypeName(out.header.type) +
                " event size " + std::to_string(out.header.event_size) + " but packet holds " +
                std::to_string(raw.size()) + " bytes");
  }
  out.body.assign(raw.substr(kEventHeaderSize));
  HandleChecksum(out, raw.substr(0, kEventHeaderSize));
  if (out.position != 0) reached = out.header.log_pos;
  return out;
}

BinlogClient::BinlogClient(const BinlogClientOptions& options, const BinlogStart& start)
    : impl_(std::make_unique<Impl>()) {
  Impl& d = *impl_;
  d.options = options;
  d.start_text = !start.gtid.empty() ? "GTID " + start.gtid
                                     : (start.file.empty() ? "(first binlog file)" : start.file) +
                                           ":" + std::to_string(start.position);
  if (options.server_id == 0) {
    throw Error(options.context + ": the binlog client needs a nonzero server_id");
  }
  if (start.gtid.empty() && start.position > UINT32_MAX) {
    throw Error(options.context + ": binlog position " + d.start_text +
                " is beyond 4 GiB, which COM_BINLOG_DUMP cannot address");
  }
  MySqlConnectOptions connect = options.connect;
  if (options.heartbeat_period.count() > 0) {
    // A server that sends neither events nor heartbeats for 3 periods is
    // taken for dead: the read fails and next() throws TransientError.
    double seconds = 3.0 * static_cast<double>(options.heartbeat_period.count()) / 1000.0;
    connect.read_timeout = std::chrono::seconds(static_cast<int64_t>(std::ceil(seconds)));
  }
  d.conn = std::make_unique<MySqlConnection>(connect, options.context);
  d.mariadb = d.conn->is_mariadb();
  d.Announce(start);
  d.OpenDump(start);
  // The server reports a bad start (purged file or GTID) before its first
  // event: read that now so the constructor throws it.
  d.pending = next();
}

BinlogClient::~BinlogClient() = default;

std::optional<BinlogEvent> BinlogClient::next() {
  Impl& d = *impl_;
  if (d.pending) {
    std::optional<BinlogEvent> first = std::move(d.pending);
    d.pending.reset();
    return first;
  }
  if (interrupted_) return std::nullopt;
  MARIADB_RPL_EVENT* ev = mariadb_rpl_fetch(d.rpl, d.event);
  if (!ev) {
    d.event = nullptr;  // a failed fetch frees the event it was given
    if (interrupted_) return std::nullopt;
    d.FailFetch(file_);
  }
  d.event = ev;
  // An event that raced with interrupt() is dropped: the caller asked to stop.
  if (interrupted_) return std::nullopt;
  std::string_view raw(reinterpret_cast<const char*>(ev->raw_data) + ev->raw_data_ofs,
                       ev->raw_data_size - ev->raw_data_ofs);
  const bool rotate = raw.size() > 4 && static_cast<uint8_t>(raw[4]) == kRotateEvent;
  BinlogEvent event = d.ToEvent(file_);
  if (rotate) {
    RotateEvent r;
    try {
      r = ParseRotate(event.body);
    } catch (const Error& e) {
      throw Error(d.options.context + ": " + event.where() + ": ROTATE event: " + e.what());
    }
    // An artificial ROTATE names the file the following events are in; a
    // real one ends the file it is in.
    if (event.position == 0) event.file = r.next_file;
    file_ = r.next_file;
    d.reached = r.position;
  }
  return event;
}

void BinlogClient::interrupt() {
  interrupted_ = true;
  const int fd = impl_->fd.load();
  // Only the socket is touched: the MYSQL handle belongs to the reading
  // thread. A blocked read then fails at once.
  if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
}

bool BinlogClient::has_data_now() const {
  if (impl_->pending) return true;
  pollfd p{impl_->fd.load(), POLLIN, 0};
  return p.fd >= 0 && ::poll(&p, 1, 0) > 0;
}

bool BinlogClient::is_mariadb() const {
  return impl_->mariadb;
}

}  // namespace cdc::mysql
