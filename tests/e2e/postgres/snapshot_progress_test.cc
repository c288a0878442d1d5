// The initial snapshot's progress as an operator sees it, through the cdcd
// binary: on a terminal (a pty made by script(1)) a live status line with a
// bar under the log, and no progress log lines every few seconds; in a log
// file, plain progress lines and no terminal escapes.
#include <gtest/gtest.h>

#include <regex>

#include "tests/e2e/postgres/pg_e2e_util.h"
#include "tests/support/kill_restart.h"
#include "tests/support/process.h"

namespace cdc {
namespace {

using pg::testing::TestDatabase;

constexpr int kRows = 400000;

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string CommandLine(const std::vector<std::string>& argv) {
  std::string cmd;
  for (const std::string& a : argv) cmd += (cmd.empty() ? "" : " ") + ShellQuote(a);
  return cmd;
}

struct SnapshotRun {
  std::string output;  // stdout and stderr
  double seconds;
};

// How many periodic (not final) progress lines `output` has for table t.
long ProgressLines(const std::string& output) {
  static const std::regex line("snapshot public\\.t: \\d+ rows \\((\\d|[1-9]\\d)%\\)");
  return std::distance(std::sregex_iterator(output.begin(), output.end(), line),
                       std::sregex_iterator());
}

// Runs the initial_only snapshot to its end.
SnapshotRun RunSnapshot(const TestDatabase& db, bool on_terminal) {
  testing::CdcdRunDir dir;
  dir.write_config(testing::PgToFileConfig(db, dir.out(), "[\"public.t\"]",
                                           "      snapshot: initial_only\n", 1000));
  std::vector<std::string> argv = dir.argv();
  // script(1)'s terminal has no size: 200 columns fit the whole status.
  if (on_terminal) {
    argv = {"/usr/bin/script", "-qec", "stty cols 200; exec " + CommandLine(argv), "/dev/null"};
  }
  const auto started = std::chrono::steady_clock::now();
  testing::ChildProcess cdcd(argv, dir.log());
  int status = -1;
  EXPECT_TRUE(cdcd.wait_for(std::chrono::minutes(3), status)) << "the snapshot did not end";
  EXPECT_EQ(status, 0) << dir.log_text();
  EXPECT_EQ(testing::CommittedChanges(dir.out()).size(), static_cast<size_t>(kRows));
  return {dir.log_text(),
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()};
}

TEST(SnapshotProgressTest, TerminalShowsALiveBarLogFileShowsLines) {
  CDCD_SERVICE_ENV_OR_SKIP(dsn, "postgres", "CDCD_TEST_PG_DSN");
  TestDatabase db(dsn, "progress");
  db.sql(
      "CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL, note text);"
      "INSERT INTO t SELECT i, i, repeat('x', 100) FROM generate_series(1, " +
      std::to_string(kRows) + ") i; ANALYZE");
  const std::string tag = testing::PgTag(db);
  const std::regex bar("\r\x1b\\[2K" + tag +
                       ": snapshot public\\.t \\d+% \\[[#.]{24}\\] [\\d,]+ of ~[\\d,]+ rows, "
                       "[\\d,]+ rows/s, ETA \\d+:\\d\\d\r");
  const std::string done_line = "snapshot public.t: " + std::to_string(kRows) + " rows (100%)";

  const SnapshotRun terminal = RunSnapshot(db, true);
  ASSERT_FALSE(HasFailure()) << terminal.output;
  EXPECT_TRUE(std::regex_search(terminal.output, bar)) << terminal.output;
  EXPECT_EQ(ProgressLines(terminal.output), 0) << terminal.output;
  EXPECT_NE(terminal.output.find(done_line), std::string::npos) << terminal.output;
  // The bar is erased at the end: after the last erase come only log lines.
  const std::string& t = terminal.output;
  const std::string tail = t.substr(t.rfind("\x1b[2K") + 4);
  EXPECT_TRUE(tail.empty() || tail.ends_with("\r\n")) << t;

  // The second run snapshots again: its sink has nothing committed.
  const SnapshotRun file = RunSnapshot(db, false);
  EXPECT_EQ(file.output.find('\x1b'), std::string::npos) << file.output;
  EXPECT_NE(file.output.find(done_line), std::string::npos) << file.output;
  // Lines come every 5 s: a run this long had one (the terminal run above
  // none only because the bar replaced them).
  if (file.seconds > 7) {
    EXPECT_GE(ProgressLines(file.output), 1) << file.output;
  }
  std::printf("snapshot of %d rows: %.1f s on a terminal, %.1f s to a log file\n", kRows,
              terminal.seconds, file.seconds);
}

}  // namespace
}  // namespace cdc
