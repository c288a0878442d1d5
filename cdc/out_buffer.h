// OutBuffer: a byte buffer that output is rendered straight into.
//
// A sink keeps one and each record's key and value are written into it where
// they will be sent from, so every output byte is written once. Unlike
// std::string it never fills room with zeros before it is written (its
// storage is raw), and it hands out a pointer to reserved room so writers
// copy bytes without a check per byte. Moving it moves the storage: pointers
// into it stay valid until the next call that grows it.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace cdc {

class OutBuffer {
 public:
  OutBuffer() = default;
  explicit OutBuffer(size_t reserve) { this->reserve(reserve); }
  OutBuffer(OutBuffer&& other) noexcept { *this = std::move(other); }
  OutBuffer& operator=(OutBuffer&& other) noexcept;

  const char* data() const { return data_.get(); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::string_view view() const { return {data_.get(), size_}; }
  std::string str() const { return std::string(view()); }

  void clear() { size_ = 0; }
  // Drops what was written past `n` (n <= size()).
  void truncate(size_t n) { size_ = n < size_ ? n : size_; }
  void reserve(size_t n) {
    if (n > capacity_) grow_to(n);
  }

  // Room for `n` more bytes at the end: write them there, then commit(end).
  char* room(size_t n) {
    if (capacity_ - size_ < n) grow_to(size_ + n);
    return data_.get() + size_;
  }
  // The bytes up to `end` (a pointer into the room) are written.
  void commit(const char* end) { size_ = static_cast<size_t>(end - data_.get()); }
  char* end() { return data_.get() + size_; }
  char* limit() { return data_.get() + capacity_; }

  void append(std::string_view s) {
    if (s.empty()) return;  // memcpy may not see the null storage of an empty buffer
    std::memcpy(room(s.size()), s.data(), s.size());
    size_ += s.size();
  }
  void push_back(char c) {
    *room(1) = c;
    ++size_;
  }
  OutBuffer& operator+=(std::string_view s) {
    append(s);
    return *this;
  }
  OutBuffer& operator+=(char c) {
    push_back(c);
    return *this;
  }

 private:
  // Grows to at least `n` bytes (and at least doubles), keeping the content.
  void grow_to(size_t n);

  std::unique_ptr<char[]> data_;
  size_t size_ = 0, capacity_ = 0;
};

}  // namespace cdc
