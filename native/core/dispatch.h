// Runtime CPU dispatch: which KernelSet (isa.h) runs. The best path is
// read from cpuid; FASTNN_CPU=portable|avx2|avx512 lowers it (for tests and
// for comparing paths), capped at what the CPU supports.
#pragma once

#include <string>
#include <vector>

#include "isa.h"

namespace fastnn {

enum class KernelPath { Portable = 0, Avx2 = 1, Avx512 = 2 };

const char* kernel_path_name(KernelPath path);
// false for an unknown name.
bool parse_kernel_path(const std::string& name, KernelPath* path);
// Whether this CPU (and OS) can run the path; portable always.
bool kernel_path_supported(KernelPath path);
// The supported paths, slowest first.
std::vector<KernelPath> supported_kernel_paths();
// The fastest supported path, lowered to FASTNN_CPU when that names a
// slower one. An unknown FASTNN_CPU is ignored. Read once per process: the
// environment and the CPU do not change, and the value is never written after.
KernelPath initial_kernel_path();
const KernelSet& kernel_set(KernelPath path);

}  // namespace fastnn
