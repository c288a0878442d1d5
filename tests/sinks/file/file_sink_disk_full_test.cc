// The file sink on a full disk: a write that fails with ENOSPC is a
// TransientError (the pipeline retries from its committed offset); once
// there is room again, recover() cuts off the partly written batch and the
// batch is written again, exactly once. Needs root to mount a small tmpfs of
// its own; skipped otherwise.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>

#include "cdc/error.h"
#include "tests/sinks/file/file_sink_test_util.h"

namespace cdc {
namespace {

using testing::At;
using testing::CreateLines;
using testing::Creates;
using testing::MakeTestSink;

// A 1 MiB tmpfs mounted at a temp dir for the test's life.
class SmallTmpfs {
 public:
  SmallTmpfs() {
    mounted_ = geteuid() == 0 && ::mount("tmpfs", dir_.str().c_str(), "tmpfs", 0, "size=1m") == 0;
  }
  ~SmallTmpfs() {
    if (mounted_) ::umount2(dir_.str().c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  std::string path(const std::string& name) const { return (dir_.path() / name).string(); }

 private:
  testing::TempDir dir_;
  bool mounted_ = false;
};

// Takes every free byte of the file system holding `path`.
void Fill(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0);
  std::string chunk(4096, 'x');
  while (::write(fd, chunk.data(), chunk.size()) > 0) {
  }
  ::close(fd);
}

TEST(FileSinkDiskFullTest, FullDiskIsRetriedAndTheBatchWrittenOnceWhenThereIsRoom) {
  SmallTmpfs fs;
  if (!fs.mounted()) GTEST_SKIP() << "needs root to mount a tmpfs";
  const std::string out = fs.path("out");
  auto sink = MakeTestSink(out);
  ASSERT_FALSE(sink->recover());
  sink->commit(Creates(1, 3, 1), At("tx-1", 3));
  ASSERT_NO_FATAL_FAILURE(Fill(fs.path("filler")));

  // Big enough not to fit in what the filler left: it must fail.
  const std::vector<ChangeEvent> batch = Creates(4, 2000, 2);
  try {
    sink->commit(batch, At("tx-2", 2000));
    FAIL() << "a commit on a full disk succeeded";
  } catch (const TransientError& e) {
    EXPECT_NE(std::string(e.what()).find("No space left on device"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("retried until there is room"), std::string::npos);
  }
  // Still full: recovery (which only truncates) works, the commit fails again.
  EXPECT_EQ(sink->recover(), At("tx-1", 3));
  EXPECT_THROW(sink->commit(batch, At("tx-2", 2000)), TransientError);

  std::filesystem::remove(fs.path("filler"));
  EXPECT_EQ(sink->recover(), At("tx-1", 3));
  sink->commit(batch, At("tx-2", 2000));
  EXPECT_EQ(sink->recover(), At("tx-2", 2000));
  EXPECT_EQ(testing::ReadFile(out + "/events-000001.jsonl"),
            CreateLines(1, 3, 1) + CreateLines(4, 2000, 2));
}

}  // namespace
}  // namespace cdc
