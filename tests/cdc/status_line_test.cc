#include "cdc/status_line.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>
#include <string>

namespace cdc {
namespace {

// What the sink wrote to `f` so far.
std::string Written(std::FILE* f) {
  std::fflush(f);
  std::string out(static_cast<size_t>(std::ftell(f)), '\0');
  std::rewind(f);
  out.resize(std::fread(out.data(), 1, out.size(), f));
  return out;
}

class StatusLineSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = std::tmpfile();
    ASSERT_NE(file_, nullptr);
    sink_ = std::make_shared<StatusLineSink>(file_);
    logger_ = std::make_shared<spdlog::logger>("status-line-test", sink_);
    logger_->set_pattern("%v");
  }
  void TearDown() override { std::fclose(file_); }

  std::FILE* file_ = nullptr;
  std::shared_ptr<StatusLineSink> sink_;
  std::shared_ptr<spdlog::logger> logger_;
};

TEST_F(StatusLineSinkTest, WithoutAStatusLinesArePlain) {
  logger_->info("one");
  logger_->info("two");
  EXPECT_EQ(Written(file_), "one\ntwo\n");
}

TEST_F(StatusLineSinkTest, EveryLineErasesTheStatusAndRedrawsItBelow) {
  logger_->info("before");
  sink_->set_status("[##..] 50%");
  logger_->info("line");
  sink_->set_status("[###.] 75%");
  sink_->set_status("[###.] 75%");  // unchanged: not drawn again
  logger_->info("another");
  sink_->set_status("");
  logger_->info("after");
  EXPECT_EQ(Written(file_),
            "before\n"
            "\r\x1b[2K[##..] 50%"
            "\r\x1b[2Kline\n[##..] 50%"
            "\r\x1b[2K[###.] 75%"
            "\r\x1b[2Kanother\n[###.] 75%"
            "\r\x1b[2K"
            "after\n");
}

}  // namespace
}  // namespace cdc
