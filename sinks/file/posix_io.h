// POSIX file primitives for the file sink.
//
// UniqueFd owns a file descriptor and closes it when it goes away. The free
// functions wrap the system calls the sink's commit protocol relies on; they
// retry EINTR and short writes, and turn every other failure into a cdc::Error
// naming the operation, the path and strerror(errno), e.g.
//     fdatasync /data/cdc/events-000003.jsonl: No space left on device
// No failure here is a TransientError: after a failed write or sync the state
// of the file is unknown (a failed fsync may even have dropped dirty pages), so
// the sink must stop and recover() from its last commit point.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace cdc::filesink {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Closes the descriptor, ignoring errors: use Close() where they matter.
  void reset();
  // Gives up ownership without closing.
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_ = -1;
};

// Throws Error("OP PATH: strerror(errno)"); TransientError for a full disk
// or quota (ENOSPC, EDQUOT), which passes once there is room.
[[noreturn]] void ThrowErrno(const std::string& op, const std::string& path);

// open(2) with O_CLOEXEC added.
UniqueFd OpenFile(const std::string& path, int flags, mode_t mode = 0644);
// Closes `fd` and reports a failing close(2) (e.g. EIO on network filesystems).
void Close(UniqueFd& fd, const std::string& path);

// Writes all of `data` at the file position, however many write(2) it takes.
void WriteAll(int fd, std::string_view data, const std::string& path);
// Reads up to `max_bytes` from `offset` on (fewer only at end of file).
std::string ReadAt(int fd, uint64_t offset, uint64_t max_bytes, const std::string& path);

void SyncData(int fd, const std::string& path);  // fdatasync(2)
void SyncFile(int fd, const std::string& path);  // fsync(2)
// fsync(2) on the directory itself, which makes creations, renames and
// removals of its entries durable.
void SyncDir(const std::string& dir);

uint64_t FileSize(int fd, const std::string& path);
void Truncate(int fd, uint64_t length, const std::string& path);

// nullopt when `path` does not exist.
std::optional<std::string> ReadWholeFile(const std::string& path);
// Size of `path`, nullopt when it does not exist.
std::optional<uint64_t> PathSize(const std::string& path);
void Rename(const std::string& from, const std::string& to);
// Returns false when `path` did not exist.
bool RemoveFile(const std::string& path);
// mkdir -p. With `sync`, fsyncs the parent of every directory it creates, so
// that the new directory survives a power loss along with what it will hold.
void MakeDirs(const std::string& dir, bool sync);

}  // namespace cdc::filesink
