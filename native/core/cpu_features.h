// The CPU features the kernels can dispatch on, detected at run time.
#pragma once

#include <string>
#include <vector>

namespace fastnn {

// Names among "sse4.2", "avx", "avx2", "fma", "avx512f" that this x86 CPU
// supports (and the OS enables); empty on other architectures.
std::vector<std::string> cpu_features();

}  // namespace fastnn
