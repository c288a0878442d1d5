#include "sources/postgres/replication_stream.h"

#include <sys/select.h>

#include <algorithm>

#include "cdc/change_event.h"
#include "sources/postgres/pgoutput_decoder.h"

namespace cdc::pg {

void ReplicationStream::start(const std::string& slot, Lsn from, const std::string& publication) {
  slot_ = slot;
  received_ = from;
  std::string sql = "START_REPLICATION SLOT " + conn_.quote_ident(slot) + " LOGICAL " +
                    FormatLsn(from) + " (proto_version '1', publication_names " +
                    conn_.quote_literal(conn_.quote_ident(publication)) + ", messages 'true')";
  PGresult* r = PQexec(conn_.raw(), sql.c_str());
  if (!r || PQresultStatus(r) != PGRES_COPY_BOTH) {
    PgResult owner(r);
    conn_.fail(r, "starting replication from slot " + slot + " at " + FormatLsn(from));
  }
  PQclear(r);
  last_status_ = std::chrono::steady_clock::now();
}

// Found by LeakSanitizer on the live end-to-end tests: a stream dropped after
// a message (a catch-up that reached its end) kept libpq's buffer.
ReplicationStream::~ReplicationStream() {
  release_buffer();
}

void ReplicationStream::release_buffer() {
  if (buffer_) {
    PQfreemem(buffer_);
    buffer_ = nullptr;
  }
}

void ReplicationStream::fail_stream(const std::string& what) {
  release_buffer();
  // The stream ended: the final result holds the server's error, if any.
  PGresult* r = PQgetResult(conn_.raw());
  PgResult owner(r);
  if (r && PQresultStatus(r) == PGRES_COMMAND_OK) {
    throw TransientError(conn_.context() + ": " + what + ": the server ended the stream");
  }
  conn_.fail(r, what);
}

std::optional<std::string_view> ReplicationStream::next(std::chrono::milliseconds timeout,
                                                        const std::function<void()>& on_idle) {
  release_buffer();
  // Built only on the way to an error: this runs once per WAL message.
  auto what = [this] { return "reading slot " + slot_ + " after " + FormatLsn(received_); };
  // Set once the socket was found empty: from then on, wait until it.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  while (true) {
    int n = PQgetCopyData(conn_.raw(), &buffer_, 1);
    if (n > 0) {
      CopyDataMessage m = ParseCopyData(std::string_view(buffer_, static_cast<size_t>(n)));
      if (auto* k = std::get_if<Keepalive>(&m)) {
        server_wal_end_ = std::max(server_wal_end_, k->wal_end);
        release_buffer();
        if (k->reply_requested) send_status();
        continue;
      }
      XLogData& x = std::get<XLogData>(m);
      server_wal_end_ = std::max(server_wal_end_, x.wal_end);
      received_ = std::max(received_, x.wal_start);
      last_wal_start_ = x.wal_start;
      return x.payload;
    }
    if (n == -1 || n == -2) fail_stream(what());
    // n == 0: nothing buffered. The first look at the socket does not wait:
    // only when the server has sent nothing more is the caller idle.
    std::chrono::microseconds left{0};
    if (deadline) {
      auto now = std::chrono::steady_clock::now();
      if (now >= *deadline) return std::nullopt;
      left = std::chrono::duration_cast<std::chrono::microseconds>(*deadline - now);
    }
    int fd = PQsocket(conn_.raw());
    if (fd < 0) throw TransientError(conn_.context() + ": " + what() + ": connection lost");
    fd_set set;
    FD_ZERO(&set);
    FD_SET(fd, &set);
    timeval tv{static_cast<time_t>(left.count() / 1000000),
               static_cast<suseconds_t>(left.count() % 1000000)};
    int ready = select(fd + 1, &set, nullptr, nullptr, &tv);
    if (ready < 0 && errno != EINTR) {
      throw TransientError(conn_.context() + ": " + what() + ": select failed");
    }
    if (ready == 0 && !deadline) {
      if (on_idle) on_idle();
      deadline = std::chrono::steady_clock::now() + timeout;
      continue;
    }
    if (ready > 0 && PQconsumeInput(conn_.raw()) == 0) fail_stream(what());
  }
}

void ReplicationStream::set_flushed(Lsn lsn) {
  // Offsets only move forward; an older acknowledgement never lowers it.
  Lsn cur = flushed_.load();
  while (lsn > cur && !flushed_.compare_exchange_weak(cur, lsn)) {
  }
}

void ReplicationStream::maybe_send_status() {
  if (std::chrono::steady_clock::now() - last_status_ >= status_interval_) send_status();
}

void ReplicationStream::send_status(bool reply_requested) {
  Lsn flush = flushed_.load();
  std::string msg =
      StandbyStatusUpdate(std::max(received_, flush), flush, flush, NowMicros(), reply_requested);
  if (PQputCopyData(conn_.raw(), msg.data(), static_cast<int>(msg.size())) != 1 ||
      PQflush(conn_.raw()) != 0) {
    throw TransientError(conn_.context() + ": sending standby status update for slot " + slot_ +
                         ": " + PQerrorMessage(conn_.raw()));
  }
  last_status_ = std::chrono::steady_clock::now();
}

}  // namespace cdc::pg
