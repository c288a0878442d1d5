#include "sinks/file/posix_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

#include "cdc/error.h"

namespace cdc::filesink {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    reset();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

void UniqueFd::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void ThrowErrno(const std::string& op, const std::string& path) {
  int err = errno;
  const std::string what = op + " " + path + ": " + std::strerror(err);
  // A full disk or quota passes once room is made: the pipeline retries
  // from its committed offset (recovery cuts off what the failed write
  // left past it), as for a broker that is down.
  if (err == ENOSPC || err == EDQUOT) {
    throw TransientError(what + " (retried until there is room)");
  }
  throw Error(what);
}

UniqueFd OpenFile(const std::string& path, int flags, mode_t mode) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) ThrowErrno("open", path);
  return UniqueFd(fd);
}

void Close(UniqueFd& fd, const std::string& path) {
  // A descriptor is gone even when close(2) fails; retrying could close one
  // another thread has just been given.
  int raw = fd.release();
  if (raw >= 0 && ::close(raw) != 0 && errno != EINTR) ThrowErrno("close", path);
}

void WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      ThrowErrno("write", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

std::string ReadAt(int fd, uint64_t offset, uint64_t max_bytes, const std::string& path) {
  std::string out(max_bytes, '\0');
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n =
        ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      ThrowErrno("read", path);
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  out.resize(done);
  return out;
}

void SyncData(int fd, const std::string& path) {
  if (::fdatasync(fd) != 0) ThrowErrno("fdatasync", path);
}

void SyncFile(int fd, const std::string& path) {
  if (::fsync(fd) != 0) ThrowErrno("fsync", path);
}

void SyncDir(const std::string& dir) {
  UniqueFd fd = OpenFile(dir, O_RDONLY | O_DIRECTORY);
  SyncFile(fd.get(), dir);
}

uint64_t FileSize(int fd, const std::string& path) {
  struct stat st;
  if (::fstat(fd, &st) != 0) ThrowErrno("fstat", path);
  return static_cast<uint64_t>(st.st_size);
}

void Truncate(int fd, uint64_t length, const std::string& path) {
  int rc;
  do {
    rc = ::ftruncate(fd, static_cast<off_t>(length));
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) ThrowErrno("ftruncate", path);
}

std::optional<std::string> ReadWholeFile(const std::string& path) {
  int raw;
  do {
    raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (raw < 0 && errno == EINTR);
  if (raw < 0) {
    if (errno == ENOENT) return std::nullopt;
    ThrowErrno("open", path);
  }
  UniqueFd fd(raw);
  return ReadAt(fd.get(), 0, FileSize(fd.get(), path), path);
}

std::optional<uint64_t> PathSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::nullopt;
    ThrowErrno("stat", path);
  }
  return static_cast<uint64_t>(st.st_size);
}

void Rename(const std::string& from, const std::string& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0) {
    int err = errno;
    throw Error("rename " + from + " to " + to + ": " + std::strerror(err));
  }
}

bool RemoveFile(const std::string& path) {
  if (::unlink(path.c_str()) == 0) return true;
  if (errno == ENOENT) return false;
  ThrowErrno("unlink", path);
}

void MakeDirs(const std::string& dir, bool sync) {
  namespace fs = std::filesystem;
  fs::path p = fs::path(dir).lexically_normal();
  if (!p.has_filename()) p = p.parent_path();  // "a/b/" names "a/b"
  std::vector<fs::path> missing;               // innermost first
  std::error_code ec;
  for (; !p.empty() && !fs::exists(p, ec); p = p.parent_path()) missing.push_back(p);
  if (missing.empty()) return;
  fs::create_directories(dir, ec);
  if (ec) throw Error("mkdir -p " + dir + ": " + ec.message());
  if (!sync) return;
  for (const fs::path& created : missing) {
    fs::path parent = created.parent_path();
    SyncDir(parent.empty() ? "." : parent.string());
  }
}

}  // namespace cdc::filesink
