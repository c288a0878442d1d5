// BinlogEventDecoder on hand-built events: MariaDB compressed QUERY and rows
// events (log_bin_compress; no fixture file has them), partial JSON diffs
// applied to a before-image, unknown types skipped, errors naming file:pos.

#include "sources/mysql/binlog_event_decoder.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <random>

#include "cdc/error.h"
#include "sources/mysql/partial_json.h"

namespace cdc::mysql {
namespace {

BinlogEvent Event(uint8_t type, std::string body) {
  BinlogEvent ev;
  ev.header.type = type;
  ev.header.event_size = static_cast<uint32_t>(kEventHeaderSize + body.size());
  ev.body = std::move(body);
  ev.file = "test-bin.000001";
  ev.position = 1234;
  return ev;
}

// MariaDB compressed payload: 0x80 | 1 length byte, the length, zlib data.
std::string MariaCompress(const std::string& data) {
  uLongf len = compressBound(data.size());
  std::string out(len, '\0');
  compress(reinterpret_cast<Bytef*>(out.data()), &len, reinterpret_cast<const Bytef*>(data.data()),
           data.size());
  out.resize(len);
  return std::string{'\x81', static_cast<char>(data.size())} + out;
}

std::string TableMapBody() {
  // table id 1, flags 0, "d"."t", one INT column, no metadata, not nullable.
  return std::string("\x01\x00\x00\x00\x00\x00\x00\x00", 8) +
         "\x01"
         "d" +
         std::string(1, '\0') +
         "\x01"
         "t" +
         std::string(1, '\0') + "\x01\x03" + std::string(2, '\0');
}

TEST(BinlogEventDecoder, MariadbCompressedQueryAndRows) {
  BinlogEventDecoder decoder;
  // QUERY_COMPRESSED: thread, exec time, db length 1, error 0, no status vars.
  std::string q = std::string("\x07\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00", 13) + "d" +
                  std::string(1, '\0') + MariaCompress("INSERT INTO t VALUES (42)");
  DecodedEvent dq = decoder.decode(Event(kMariaQueryCompressedEvent, q));
  const auto& query = std::get<QueryEvent>(dq.body);
  EXPECT_EQ(query.database, "d");
  EXPECT_EQ(query.query, "INSERT INTO t VALUES (42)");

  decoder.decode(Event(kTableMapEvent, TableMapBody()));
  // WRITE_ROWS_COMPRESSED_V1 (166): plain post-header, width 1, columns
  // bitmap, then the compressed row images: null bitmap, INT 42 (MariaDB
  // compresses Rows_log_event::m_rows_buf only).
  std::string rows = std::string("\x01\x00\x00\x00\x00\x00\x01\x00\x01\x01", 10) +
                     MariaCompress(std::string("\x00\x2a\x00\x00\x00", 5));
  DecodedEvent dr = decoder.decode(Event(kMariaWriteRowsCompressedEventV1, rows));
  const auto& r = std::get<RowsEvent>(dr.body);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.kind, RowsEvent::Kind::kInsert);
  EXPECT_EQ(r.rows[0].after->values[0], Value(int64_t{42}));

  std::string bad = rows;
  bad.back() = static_cast<char>(bad.back() ^ 0x55);
  try {
    decoder.decode(Event(kMariaWriteRowsCompressedEventV1, bad));
    FAIL() << "corrupt zlib data accepted";
  } catch (const Error& e) {
    EXPECT_EQ(
        std::string(e.what()).rfind("test-bin.000001:1234: MARIA_WRITE_ROWS_COMPRESSED_V1", 0), 0u)
        << e.what();
  }
}

TEST(BinlogEventDecoder, UnknownTypesAreSkippedAndMissingTableMapsFail) {
  BinlogEventDecoder decoder;
  EXPECT_TRUE(std::holds_alternative<UnknownEvent>(decoder.decode(Event(100, "xyz")).body));
  EXPECT_TRUE(std::holds_alternative<UnknownEvent>(decoder.decode(Event(kIntvarEvent, "")).body));
  std::string rows = std::string("\x09\x00\x00\x00\x00\x00\x01\x00\x01\x01\x00", 11);
  try {
    decoder.decode(Event(kWriteRowsEventV1, rows));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("test-bin.000001:1234: WRITE_ROWS_V1 event: no TABLE_MAP"),
              std::string::npos)
        << e.what();
  }
  // Truncated row data in a known event type is an error, not a crash.
  decoder.decode(Event(kTableMapEvent, TableMapBody()));
  std::string short_row = std::string("\x01\x00\x00\x00\x00\x00\x01\x00\x01\x01\x00\x2a\x00", 13);
  EXPECT_THROW(decoder.decode(Event(kWriteRowsEventV1, short_row)), Error);
}

// Rows of a table nobody captures are not decoded: a corrupt or undecodable
// row there comes through as a rows event without rows instead of an error.
TEST(BinlogEventDecoder, RowsOfUnwantedTablesAreNotDecoded) {
  BinlogEventDecoder decoder;
  std::vector<std::string> asked;
  decoder.set_rows_filter([&](const TableMapEvent& t) {
    asked.push_back(t.database + "." + t.table);
    return false;
  });
  decoder.decode(Event(kTableMapEvent, TableMapBody()));
  // Truncated row data (an error when decoded) and a corrupt compressed body.
  std::string short_row = std::string("\x01\x00\x00\x00\x00\x00\x01\x00\x01\x01\x00\x2a\x00", 13);
  const DecodedEvent dr = decoder.decode(Event(kWriteRowsEventV1, short_row));
  const auto& r = std::get<RowsEvent>(dr.body);
  EXPECT_EQ(r.kind, RowsEvent::Kind::kInsert);
  EXPECT_EQ(r.flags, 1);  // STMT_END_F, which ends an implicit transaction
  EXPECT_EQ(r.table->table, "t");
  EXPECT_TRUE(r.rows.empty());
  std::string corrupt =
      std::string("\x01\x00\x00\x00\x00\x00\x00\x00\x01\x01", 10) + "\x81\x05garbage";
  const DecodedEvent dc = decoder.decode(Event(kMariaUpdateRowsCompressedEventV1, corrupt));
  const auto& c = std::get<RowsEvent>(dc.body);
  EXPECT_EQ(c.kind, RowsEvent::Kind::kUpdate);
  EXPECT_EQ(c.flags, 0);
  EXPECT_TRUE(c.rows.empty());
  EXPECT_EQ(asked, (std::vector<std::string>{"d.t", "d.t"}));

  decoder.set_rows_filter([](const TableMapEvent&) { return true; });
  EXPECT_THROW(decoder.decode(Event(kWriteRowsEventV1, short_row)), Error);
}

// The TABLE_MAP hook reads the catalog: its lost connection stays a
// TransientError (retried) under the decoder's context, and other errors
// stay errors (found by the chaos suite, where a database restart during
// that lookup stopped the pipeline).
TEST(BinlogEventDecoder, ErrorsOfTheTableMapHookKeepTheirKind) {
  BinlogEventDecoder decoder;
  decoder.set_table_map_hook(
      [](std::shared_ptr<const TableMapEvent>) -> std::shared_ptr<const TableMapEvent> {
        throw TransientError("catalog connection: Lost connection to server during query (2013)");
      });
  try {
    decoder.decode(Event(kTableMapEvent, TableMapBody()));
    FAIL() << "no error";
  } catch (const TransientError& e) {
    EXPECT_EQ(std::string(e.what()),
              "test-bin.000001:1234: TABLE_MAP event: catalog connection: Lost connection to "
              "server during query (2013)");
  }
  decoder.set_table_map_hook(
      [](std::shared_ptr<const TableMapEvent>) -> std::shared_ptr<const TableMapEvent> {
        throw Error("no such table");
      });
  try {
    decoder.decode(Event(kTableMapEvent, TableMapBody()));
    FAIL() << "no error";
  } catch (const TransientError&) {
    FAIL() << "an Error became transient";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "test-bin.000001:1234: TABLE_MAP event: no such table");
  }
}

TEST(PartialJson, DiffsApplyToTheBeforeImage) {
  // REPLACE $.a with int16 5; INSERT $.b[1] true; REMOVE $.b[0].
  std::string diffs = std::string("\x00\x03$.a\x03\x05\x05\x00", 9) +
                      std::string("\x01\x06$.b[1]\x02\x04\x01", 11) +
                      std::string("\x02\x06$.b[0]", 8);
  Value before(Json{R"({"a": 1, "b": [1, 2], "c d": "x"})"});
  EXPECT_EQ(ApplyJsonDiffs(before, diffs), Value(Json{R"({"a": 5, "b": [true, 2], "c d": "x"})"}));
  EXPECT_EQ(JsonDiffsToText(std::string("\x02\x07$.\"c d\"", 9)),
            R"([{"op": "remove", "path": "$.\"c d\""}])");
  EXPECT_EQ(ApplyJsonDiffs(before, std::string("\x02\x07$.\"c d\"", 9)),
            Value(Json{R"({"a": 1, "b": [1, 2]})"}));
  EXPECT_THROW(ApplyJsonDiffs(before, std::string("\x00\x05$.x.y\x03\x05\x05\x00", 11)), Error);
  EXPECT_THROW(ApplyJsonDiffs(before, std::string("\x07", 1)), Error);
}

TEST(BinlogEventDecoder, RandomBodiesNeverCrash) {
  const uint8_t types[] = {kQueryEvent,
                           kRotateEvent,
                           kXidEvent,
                           kGtidEvent,
                           kAnonymousGtidEvent,
                           kGtidTaggedEvent,
                           kPreviousGtidsEvent,
                           kTableMapEvent,
                           kWriteRowsEventV1,
                           kUpdateRowsEvent,
                           kDeleteRowsEvent,
                           kPartialUpdateRowsEvent,
                           kTransactionPayloadEvent,
                           kMariaGtidEvent,
                           kMariaGtidListEvent,
                           kMariaBinlogCheckpointEvent,
                           kMariaQueryCompressedEvent,
                           kMariaWriteRowsCompressedEvent,
                           kMariaUpdateRowsCompressedEventV1,
                           kFormatDescriptionEvent};
  std::mt19937 rng(3);
  for (int i = 0; i < 30000; ++i) {
    BinlogEventDecoder decoder;
    // A valid table map for id 1 so that rows events get past the lookup.
    decoder.decode(Event(kTableMapEvent, TableMapBody()));
    std::string body(rng() % 80, '\0');
    for (char& c : body) c = static_cast<char>(rng() % 4 ? rng() % 4 : rng());
    if (body.size() >= 6 && rng() % 2) body.replace(0, 6, std::string("\x01\0\0\0\0\0", 6));
    try {
      decoder.decode(Event(types[rng() % std::size(types)], body));
    } catch (const Error& e) {
      ASSERT_EQ(std::string(e.what()).rfind("test-bin.000001:1234: ", 0), 0u) << e.what();
    }
  }
}

}  // namespace
}  // namespace cdc::mysql
