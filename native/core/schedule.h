// Learning-rate schedules as plain descriptions, evaluated inside the native
// epoch loop (per epoch or per step) without calling back into JS.
#pragma once

#include <cstddef>

namespace fastnn {

// The integer codes cross the JS boundary (backend.ts `Schedule`).
enum class Schedule : int { Constant = 0, Step = 1, Exponential = 2, Cosine = 3 };
constexpr int kScheduleCount = 4;

struct ScheduleConfig {
  Schedule type = Schedule::Constant;
  double lr = 0.01;           // base rate η
  bool per_step = false;      // t counts updates (else epochs), from 0 in each job
  std::size_t step_size = 1;  // Step: decay every step_size units
  double gamma = 0.1;         // Step / Exponential factor
  double min_lr = 0;          // Cosine floor
  std::size_t total = 1;      // Cosine horizon in units, warm-up included (≥ 1)
  std::size_t warmup = 0;     // linear warm-up: η·(t+1)/warmup for t < warmup
};

// The rate at unit t: warm-up first, then the schedule at u = t − warmup:
// constant η; step η·γ^⌊u/step_size⌋; exponential η·γ^u;
// cosine min_lr + (η − min_lr)·½(1 + cos(π·min(u, T)/T)), T = max(1, total − warmup).
double schedule_lr(const ScheduleConfig& s, std::size_t t);

}  // namespace fastnn
