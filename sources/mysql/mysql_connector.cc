#include "sources/mysql/mysql_connector.h"

#include <spdlog/spdlog.h>

#include "sources/mysql/binlog_client.h"
#include "sources/mysql/binlog_event_decoder.h"
#include "sources/mysql/mysql_catalog.h"
#include "sources/mysql/mysql_connection.h"
#include "sources/mysql/mysql_snapshot.h"
#include "sources/mysql/table_map_enricher.h"
#include "sources/mysql/xa_prepare_finder.h"

namespace cdc::mysql {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kEmitWait{200};

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// One server variable, or nullopt when the server does not know it.
std::optional<std::string> Variable(MySqlConnection& conn, const std::string& name) {
  try {
    MySqlResult r = conn.query("SELECT @@GLOBAL." + name, "reading " + name);
    if (r.size() == 0 || !r.rows[0][0]) return std::nullopt;
    return r.rows[0][0];
  } catch (const MySqlServerError& e) {
    if (e.code() == 1193) return std::nullopt;  // ER_UNKNOWN_SYSTEM_VARIABLE
    throw;
  }
}

void CheckPrivileges(MySqlConnection& conn, const std::string& context, bool mariadb) {
  MySqlResult grants = conn.query("SHOW GRANTS FOR CURRENT_USER()", "reading privileges");
  std::string all;
  for (const auto& row : grants.rows) all += Upper(row[0].value_or("")) + "\n";
  auto has = [&](const char* p) { return all.find(p) != std::string::npos; };
  const bool everything = has("GRANT ALL PRIVILEGES ON *.*");
  std::vector<std::string> missing;
  if (!everything && !has("REPLICATION SLAVE") && !has("REPLICATION REPLICA")) {
    missing.push_back("REPLICATION SLAVE");
  }
  if (!everything && !has("REPLICATION CLIENT") && !has("BINLOG MONITOR") && !has("SUPER")) {
    missing.push_back(mariadb ? "BINLOG MONITOR" : "REPLICATION CLIENT");
  }
  if (missing.empty()) return;
  std::string list;
  for (const std::string& m : missing) list += (list.empty() ? "" : ", ") + m;
  throw Error(context + ": the user lacks " + list + " (SHOW GRANTS shows none of it): run GRANT " +
              list +
              " ON *.* TO <user>, plus SELECT on the captured tables and RELOAD for "
              "snapshots");
}

// Emits `ev`, waiting while the pipeline is full; false when stopping.
bool Emit(ChangeEvent& ev, Emitter& out, std::stop_token stop) {
  while (true) {
    Emitter::Result r = out.try_emit_for(ev, kEmitWait);
    if (r == Emitter::Result::kEmitted) return true;
    if (r == Emitter::Result::kStopping || stop.stop_requested()) return false;
  }
}

}  // namespace

ServerInfo CheckServer(MySqlConnection& conn, const std::string& context) {
  ServerInfo info;
  info.mariadb = conn.is_mariadb();
  info.version = conn.server_version();
  auto need = [&](const std::string& var, const std::string& want, const std::string& fix) {
    std::string v = Upper(Variable(conn, var).value_or(""));
    if (v != want) {
      throw Error(context + ": " + var + " is " + (v.empty() ? "not set" : v) + ", cdcd needs " +
                  want + ": " + fix);
    }
  };
  const std::string log_bin = Variable(conn, "log_bin").value_or("0");
  if (log_bin != "1" && Upper(log_bin) != "ON") {
    throw Error(context + ": binary logging is off on " + info.version +
                ": start the server with log_bin (and binlog_format=ROW, binlog_row_image=FULL)");
  }
  need("binlog_format", "ROW",
       "set binlog_format=ROW in the server's configuration (SET GLOBAL binlog_format=ROW "
       "applies to new sessions only)");
  need("binlog_row_image", "FULL",
       "set binlog_row_image=FULL, else updates and deletes lack whole rows");
  CheckPrivileges(conn, context, info.mariadb);
  info.full_metadata = Upper(Variable(conn, "binlog_row_metadata").value_or("")) == "FULL";
  if (!info.full_metadata) {
    spdlog::warn(
        "{}: binlog_row_metadata is not FULL on {}: column names, signedness and charsets come "
        "from information_schema instead of the binlog. DDL applied while cdcd is stopped makes "
        "events written before it decode with the NEW definition. Set binlog_row_metadata=FULL "
        "(MySQL >= 8.0.1, MariaDB >= 10.5) to avoid this",
        context, info.version);
  }
  info.gtid_enabled = info.mariadb || Upper(Variable(conn, "gtid_mode").value_or("OFF")) == "ON";
  return info;
}

// The point of a MySQL snapshot: MySqlSnapshot's worker transactions, open
// at a binlog position for as long as this object lives.
class MySqlPoint : public ConsistentPoint {
 public:
  explicit MySqlPoint(const MySqlSourceOptions& options) : snapshot_(options) {
    point_ = snapshot_.open();
  }
  const BinlogPoint& binlog_point() const { return point_; }
  nlohmann::json point() const override { return point_.to_json(); }
  SnapshotRequest request() override { return snapshot_.request(); }
  std::unique_ptr<TableChunkReader> reader(size_t worker) override {
    return snapshot_.reader(worker);
  }

 private:
  MySqlSnapshot snapshot_;
  BinlogPoint point_;
};

MySqlConnector::MySqlConnector(const MySqlSourceOptions& options)
    : options_(options), context_(options_.context()) {}

MySqlConnector::~MySqlConnector() = default;

void MySqlConnector::open(bool, bool will_stream) {
  close();
  conn_ = std::make_unique<MySqlConnection>(options_.connect, context_ + ": query connection");
  server_ = CheckServer(*conn_, context_);
  signals_ = will_stream && ensure_signal_table();
  captured_.clear();
  for (const CapturedTable& t : ListCapturedTables(*conn_, options_)) {
    captured_.push_back(t.database + "." + t.table);
  }
  enricher_ = std::make_unique<TableMapEnricher>(options_, server_.full_metadata);
  EventAssembler::Options a;
  a.server_name = options_.pipeline;
  a.captured = [this](const std::string& db, const std::string& t) {
    return TableStreamed(options_, db, t);
  };
  a.named = [this](const std::string& db, const std::string& t) {
    return TableNamed(options_, db, t);
  };
  a.lookup = [this](const std::string& db, const std::string& t) {
    return enricher_->lookup(db, t);
  };
  assembler_ = std::make_unique<EventAssembler>(std::move(a));
}

bool MySqlConnector::ensure_signal_table() {
  if (options_.signal_table_off) {
    spdlog::info("{}: signal_table is \"\": incremental snapshots are off", context_);
    return false;
  }
  if (options_.signal_table.empty()) {
    spdlog::warn(
        "{}: no signal_table configured (and `tables` names no single database to put "
        "cdcd_signal in): incremental snapshots are unavailable",
        context_);
    return false;
  }
  const std::string& s = options_.signal_table;
  const auto dot = s.find('.');
  const std::string name = MySqlConnection::quote_ident(s.substr(0, dot)) + "." +
                           MySqlConnection::quote_ident(s.substr(dot + 1));
  const std::string ddl = "CREATE TABLE IF NOT EXISTS " + name +
                          " (id VARCHAR(64) PRIMARY KEY, type VARCHAR(32) NOT NULL, data TEXT)";
  try {
    if (conn_
            ->query("SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = " +
                        conn_->quote(s.substr(0, dot)) +
                        " AND TABLE_NAME = " + conn_->quote(s.substr(dot + 1)),
                    "looking up the signal table " + s)
            .size() > 0) {
      return true;
    }
    conn_->query(ddl, "creating the signal table " + s);
    spdlog::info("{}: created signal table {}", context_, s);
    return true;
  } catch (const MySqlServerError& e) {
    spdlog::warn(
        "{}: no signal table {} and it cannot be created ({}): incremental snapshots are "
        "unavailable. Create it: {}, and grant the user INSERT and UPDATE on it",
        context_, s, e.what(), ddl);
    return false;
  }
}

std::unique_ptr<IncrementalReader> MySqlConnector::incremental_reader() {
  return MakeIncrementalReader(options_);
}

void MySqlConnector::close() {
  assembler_.reset();
  enricher_.reset();
  conn_.reset();
}

std::unique_ptr<ConsistentPoint> MySqlConnector::open_point() {
  return std::make_unique<MySqlPoint>(options_);
}

Offset MySqlConnector::point_offset(const nlohmann::json& point) {
  const BinlogPoint p = BinlogPoint::FromJson(point);
  return StreamOffset(BinlogPosition{p.file, p.position}, 0, p.gtid);
}

bool MySqlConnector::stream(const StreamFrom& from, const ConsistentPoint* until, Emitter& out,
                            std::stop_token stop) {
  StreamStart start = from.offset ? ParseStreamOffset(*from.offset) : current_start();
  if (from.committed) lag_.committed(start.position);
  std::optional<BinlogPosition> until_position;
  if (until) {
    const BinlogPoint& p = static_cast<const MySqlPoint*>(until)->binlog_point();
    until_position = BinlogPosition{p.file, p.position};
  }
  return stream_from(std::move(start), until_position, out, stop);
}

std::optional<ChangeEvent> MySqlConnector::log_end_marker() {
  assembler_->reset(current_start(), server_.mariadb);
  return assembler_->heartbeat();
}

void MySqlConnector::acknowledge(const Offset& committed) {
  try {
    lag_.committed(ParseStreamOffset(committed).position);
  } catch (const Error&) {
    // A snapshot's offset: no binlog position to count from yet.
  }
}

StreamStart MySqlConnector::current_start() {
  const BinlogPoint p = ReadBinlogPoint(*conn_);
  StreamStart s{{p.file, p.position}, p.gtid, 0, {}};
  spdlog::info("{}: no committed offset: streaming from the binlog's end {}{}", context_,
               s.position.to_string(), s.gtid.empty() ? "" : " (GTID " + s.gtid + ")");
  return s;
}

bool MySqlConnector::stream_from(StreamStart start, const std::optional<BinlogPosition>& until,
                                 Emitter& out, std::stop_token stop) {
  if (until && !Before(start.position, *until) && start.skip == 0) return true;
  bool by_gtid = false;
  if (options_.resume_by == ResumeBy::kGtid) {
    if (!server_.gtid_enabled) {
      throw Error(context_ + ": resume_by: gtid, but the server has GTIDs off (gtid_mode)");
    }
    if (start.gtid.empty()) {
      throw Error(context_ + ": resume_by: gtid, but the committed offset " +
                  start.position.to_string() + " carries no GTID state");
    }
    by_gtid = true;
  } else if (options_.resume_by == ResumeBy::kAuto) {
    by_gtid = server_.gtid_enabled && !start.gtid.empty();
  }
  if (start.gtid.empty() && server_.mariadb) {
    // Offsets made without a GTID state get one, so later ones can fail over.
    start.gtid = MariaGtidStateAt(*conn_, start.position.file, start.position.pos);
  }
  BinlogClientOptions co = dump_options();
  BinlogStart bs;
  if (by_gtid) {
    bs.gtid = start.gtid;
  } else {
    bs.file = start.position.file;
    bs.position = start.position.pos;
  }
  BinlogClient client(co, bs);
  std::stop_callback interrupt(stop, [&client] { client.interrupt(); });
  spdlog::info("{}: streaming the binlog from {}{}{}", context_,
               by_gtid ? "after GTID " + start.gtid : start.position.to_string(),
               start.skip ? " skipping " + std::to_string(start.skip) + " events" : "",
               until ? " to " + until->to_string() : "");

  BinlogEventDecoder decoder = make_decoder();
  assembler_->reset(start, server_.mariadb);
  std::vector<ChangeEvent> events;
  while (!stop.stop_requested()) {
    // Between transactions, a server with nothing more to send means all it
    // sent was emitted: the pipeline may commit at once. Inside one, no
    // system call per event.
    if (!assembler_->in_transaction() && !client.has_data_now()) out.idle();
    std::optional<BinlogEvent> raw = client.next();
    if (!raw) return false;  // interrupted: stopping
    DecodedEvent d = decoder.decode(*raw);
    events.clear();
    const uint8_t type = raw->header.type;
    if (type == kHeartbeatEvent || type == kHeartbeatEventV2) {
      if (auto hb = assembler_->heartbeat()) events.push_back(std::move(*hb));
    } else if (raw->position == 0) {
      continue;  // made up by the server for the dump (fake ROTATE, FORMAT_DESCRIPTION)
    } else {
      const uint64_t end = raw->position + raw->header.event_size;
      if (const auto* payload = std::get_if<TransactionPayloadEvent>(&d.body)) {
        for (const BinlogEvent& inner : payload->events) {
          if (!feed(decoder.decode(inner), end, events, out, stop)) return false;
        }
      } else {
        if (const auto* q = std::get_if<QueryEvent>(&d.body)) enricher_->on_query(*q);
        if (!feed(std::move(d), end, events, out, stop)) return false;
      }
    }
    for (ChangeEvent& ev : events) {
      if (!Emit(ev, out, stop)) return false;
    }
    lag_.maybe_sample(*conn_);
    if (until && !assembler_->in_transaction() && raw->position != 0 &&
        !Before(BinlogPosition{raw->file, raw->position + raw->header.event_size}, *until)) {
      return true;
    }
  }
  return false;
}

BinlogClientOptions MySqlConnector::dump_options() const {
  BinlogClientOptions co;
  co.connect = options_.connect;
  co.server_id = options_.server_id;
  co.heartbeat_period = options_.heartbeat_interval;
  co.context = context_;
  return co;
}

BinlogEventDecoder MySqlConnector::make_decoder() {
  BinlogEventDecoder decoder(RowDecodeOptions{options_.zero_dates});
  decoder.set_table_map_hook(
      [this](std::shared_ptr<const TableMapEvent> t) { return enricher_->enrich(std::move(t)); });
  // Rows of tables the pipeline does not capture are not decoded: cheaper,
  // and a value cdcd cannot decode there does not stop the pipeline.
  decoder.set_rows_filter(
      [this](const TableMapEvent& t) { return TableStreamed(options_, t.database, t.table); });
  return decoder;
}

bool MySqlConnector::feed(DecodedEvent&& d, uint64_t end, std::vector<ChangeEvent>& events,
                          Emitter& out, std::stop_token stop) {
  events.clear();
  assembler_->feed(d, end, events);
  for (ChangeEvent& ev : events) {
    if (!Emit(ev, out, stop)) return false;
  }
  events.clear();
  if (assembler_->prepare_to_find() && !find_prepared(events, out, stop)) return false;
  if (std::optional<BinlogPosition> from = assembler_->replay_from()) {
    return replay_prepared(*from, out, stop);
  }
  return true;
}

bool MySqlConnector::find_prepared(std::vector<ChangeEvent>& events, Emitter& out,
                                   std::stop_token stop) {
  const EventAssembler::PrepareToFind find = *assembler_->prepare_to_find();
  BinlogClientOptions co = dump_options();
  co.server_id = XaReplayServerId(options_.server_id);  // the stream's connection stays open
  co.context = context_ + ": XA COMMIT " + find.xid + " at " + find.commit.to_string() +
               " (prepared before the stream's start point)";
  const std::optional<BinlogPosition> from = FindXaPrepare(*conn_, co, find.xid, find.commit, stop);
  if (stop.stop_requested()) return false;
  if (from) {
    spdlog::info("{}: its XA PREPARE is at {}", co.context, from->to_string());
    assembler_->prepare_found(*from);
    return true;
  }
  assembler_->prepare_not_found(events);
  for (ChangeEvent& ev : events) {
    if (!Emit(ev, out, stop)) return false;
  }
  events.clear();
  return true;
}

bool MySqlConnector::replay_prepared(const BinlogPosition& from, Emitter& out,
                                     std::stop_token stop) {
  BinlogClientOptions co = dump_options();
  // A second dump connection while the stream's is open: with the same
  // server_id MySQL would drop the stream's.
  co.server_id = XaReplayServerId(options_.server_id);
  co.context = context_ + ": reading the prepared XA transaction at " + from.to_string();
  BinlogStart bs;
  bs.file = from.file;
  bs.position = from.pos;
  BinlogClient client(co, bs);
  std::stop_callback interrupt(stop, [&client] { client.interrupt(); });
  BinlogEventDecoder decoder = make_decoder();
  std::vector<ChangeEvent> events;
  int transactions = 0;  // GTID events: the part must end before a second one
  auto feed_one = [&](DecodedEvent&& d) {
    if (std::holds_alternative<GtidEvent>(d.body) ||
        std::holds_alternative<MariaGtidEvent>(d.body)) {
      if (++transactions > 1) {
        throw Error(co.context + ": no XA_PREPARE event ends the transaction starting there");
      }
    }
    return assembler_->feed_replayed(d, events);
  };
  while (true) {
    std::optional<BinlogEvent> raw = client.next();
    if (!raw) return false;            // interrupted: stopping
    if (raw->position == 0) continue;  // made up for the dump, or a heartbeat
    DecodedEvent d = decoder.decode(*raw);
    events.clear();
    bool done = false;
    if (const auto* payload = std::get_if<TransactionPayloadEvent>(&d.body)) {
      for (const BinlogEvent& inner : payload->events) {
        if ((done = feed_one(decoder.decode(inner)))) break;
      }
    } else {
      done = feed_one(std::move(d));
    }
    if (done) assembler_->end_replay(events);
    for (ChangeEvent& ev : events) {
      if (!Emit(ev, out, stop)) return false;
    }
    if (done) return true;
  }
}

}  // namespace cdc::mysql
