#include "sources/mysql/xa_prepare_finder.h"

#include <spdlog/spdlog.h>

#include <vector>

#include "sources/mysql/mysql_connection.h"
#include "sources/mysql/xa_statement.h"

namespace cdc::mysql {

void XaPrepareScan::feed(const DecodedEvent& ev) {
  if (std::holds_alternative<GtidEvent>(ev.body) ||
      std::holds_alternative<MariaGtidEvent>(ev.body)) {
    gtid_ = BinlogPosition{ev.file, ev.position};
  } else if (const auto* prepare = std::get_if<XaPrepareEvent>(&ev.body)) {
    if (!prepare->one_phase && prepare->xid == xid_ && gtid_) {
      found_ = gtid_;
      ended_ = false;
    }
  } else if (const auto* query = std::get_if<QueryEvent>(&ev.body)) {
    const XaStatement xa = ParseXaStatement(query->query);
    if ((xa.kind == XaStatement::Kind::kCommit || xa.kind == XaStatement::Kind::kRollback) &&
        xa.xid == xid_) {
      found_.reset();
      ended_ = true;
    }
  }
}

namespace {

// The binlog files the server has, oldest first, up to `last`.
std::vector<std::string> FilesUpTo(MySqlConnection& conn, const std::string& last) {
  const MySqlResult r = conn.query("SHOW BINARY LOGS", "listing the binlog files");
  std::vector<std::string> files;
  for (size_t i = 0; i < r.size(); ++i) {
    files.push_back(r.get(i, 0));
    if (files.back() == last) break;
  }
  return files;
}

// Scans `file` from its start to its end, or to `commit` in the commit's
// file. False when interrupted.
bool ScanFile(const BinlogClientOptions& dump, const std::string& file,
              const BinlogPosition& commit, XaPrepareScan& scan, std::stop_token stop) {
  BinlogStart start;
  start.file = file;
  BinlogClient client(dump, start);
  std::stop_callback interrupt(stop, [&client] { client.interrupt(); });
  BinlogEventDecoder decoder;
  decoder.set_rows_filter([](const TableMapEvent&) { return false; });  // rows are not needed
  while (true) {
    std::optional<BinlogEvent> raw = client.next();
    if (!raw) return false;
    if (raw->position == 0) continue;  // made up for the dump, or a heartbeat
    if (raw->file != file || (file == commit.file && raw->position >= commit.pos)) return true;
    const DecodedEvent d = decoder.decode(*raw);
    if (const auto* payload = std::get_if<TransactionPayloadEvent>(&d.body)) {
      for (const BinlogEvent& inner : payload->events) scan.feed(decoder.decode(inner));
    } else {
      scan.feed(d);
    }
  }
}

}  // namespace

std::optional<BinlogPosition> FindXaPrepare(MySqlConnection& conn, const BinlogClientOptions& dump,
                                            const std::string& xid, const BinlogPosition& commit,
                                            std::stop_token stop) {
  const std::vector<std::string> files = FilesUpTo(conn, commit.file);
  for (auto file = files.rbegin(); file != files.rend(); ++file) {
    spdlog::info("{}: looking for its XA PREPARE in {}", dump.context, *file);
    XaPrepareScan scan(xid);
    if (!ScanFile(dump, *file, commit, scan, stop)) return std::nullopt;
    if (scan.found()) return scan.found();
    if (scan.ended()) return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace cdc::mysql
