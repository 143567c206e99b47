#include "out_of_memory.h"

#include <stdexcept>

namespace fastnn {

OutOfMemory::OutOfMemory(std::string item) : item_(std::make_shared<const std::string>(std::move(item))) {}

void rethrow_named(const std::string& item) {
  try {
    throw;
  } catch (const OutOfMemory&) {
    throw;
  } catch (const std::bad_alloc&) {
  } catch (const std::length_error&) {}
  throw OutOfMemory(item);
}

}  // namespace fastnn
