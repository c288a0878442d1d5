// ReplicationStream: the walsender's CopyBoth stream on a replication
// connection, read without blocking the caller for longer than it asks.
//
// start() sends START_REPLICATION SLOT s LOGICAL <lsn> with pgoutput
// protocol 1, the publication and `messages 'true'`. next() returns the next
// pgoutput message (the payload of one XLogData), or nothing when `timeout`
// passes first: the caller checks its stop token, timers and backpressure
// between calls. Keepalives are handled inside: one that asks for a reply is
// answered at once.
//
// Standby status updates report flush = apply = the acknowledged LSN (the
// last offset the sink committed, set by set_flushed(), thread-safe) and
// never anything later, so the slot's confirmed_flush_lsn never passes a
// committed offset and the server keeps all WAL cdcd may still need; `write`
// reports what was received. maybe_send_status() sends one when
// `status_interval` passed since the last, which also keeps
// wal_sender_timeout from closing a connection whose reader is held back.
//
// Errors: a lost connection is a TransientError; the server ending the stream
// with an error is rethrown as PgServerError (SQLSTATE kept) for the caller to
// explain.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "sources/postgres/lsn.h"
#include "sources/postgres/pg_connection.h"

namespace cdc::pg {

class ReplicationStream {
 public:
  ReplicationStream(PgConnection& conn, std::chrono::milliseconds status_interval)
      : conn_(conn), status_interval_(status_interval) {}

  void start(const std::string& slot, Lsn from, const std::string& publication);

  ~ReplicationStream();  // frees the buffer of the message next() returned last

  // The next pgoutput message, or nullopt after `timeout` without one. The
  // returned view is valid until the next call. Before it waits on the socket
  // because the server has sent nothing more yet, `on_idle` runs (once per
  // call; checked without blocking, so not while a backlog is read).
  std::optional<std::string_view> next(std::chrono::milliseconds timeout,
                                       const std::function<void()>& on_idle = {});

  // The XLogData start of the message next() returned last: for a change,
  // the LSN of its WAL record.
  Lsn last_wal_start() const { return last_wal_start_; }

  void set_flushed(Lsn lsn);
  Lsn flushed() const { return flushed_.load(); }
  void maybe_send_status();
  void send_status(bool reply_requested = false);
  // The server's WAL end as of the last message or keepalive.
  Lsn server_wal_end() const { return server_wal_end_; }

 private:
  void release_buffer();
  [[noreturn]] void fail_stream(const std::string& what);

  PgConnection& conn_;
  std::chrono::milliseconds status_interval_;
  std::atomic<Lsn> flushed_{0};
  Lsn received_ = 0;
  Lsn last_wal_start_ = 0;
  Lsn server_wal_end_ = 0;
  std::string slot_;
  char* buffer_ = nullptr;
  std::chrono::steady_clock::time_point last_status_{};
};

}  // namespace cdc::pg
