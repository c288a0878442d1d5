#include "cdc/out_buffer.h"

#include <algorithm>

namespace cdc {

OutBuffer& OutBuffer::operator=(OutBuffer&& other) noexcept {
  data_ = std::move(other.data_);
  size_ = other.size_;
  capacity_ = other.capacity_;
  other.size_ = other.capacity_ = 0;
  return *this;
}

void OutBuffer::grow_to(size_t n) {
  const size_t capacity = std::max({n, 2 * capacity_, size_t{64}});
  // Raw storage: the room is written before it is read.
  std::unique_ptr<char[]> bigger = std::make_unique_for_overwrite<char[]>(capacity);
  if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_);
  data_ = std::move(bigger);
  capacity_ = capacity;
}

}  // namespace cdc
