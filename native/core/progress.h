// How a long core computation talks to whoever runs it (a background job's
// thread, native/napi/background_job.h): progress reports and stop requests.
#pragma once

#include <cstddef>
#include <functional>

namespace fastnn {

// Progress of a long computation: `done` of `total` units.
using ProgressFn = std::function<void(std::size_t done, std::size_t total)>;
// Polled between units of work: true asks the computation to give up.
using StopFn = std::function<bool()>;

}  // namespace fastnn
