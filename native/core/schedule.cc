#include "schedule.h"

#include <algorithm>
#include <cmath>

namespace fastnn {

double schedule_lr(const ScheduleConfig& s, std::size_t t) {
  if (t < s.warmup) return s.lr * static_cast<double>(t + 1) / static_cast<double>(s.warmup);
  const double u = static_cast<double>(t - s.warmup);
  switch (s.type) {
    case Schedule::Constant: return s.lr;
    case Schedule::Step: return s.lr * std::pow(s.gamma, std::floor(u / static_cast<double>(s.step_size)));
    case Schedule::Exponential: return s.lr * std::pow(s.gamma, u);
    case Schedule::Cosine: {
      const double horizon = static_cast<double>(std::max<std::size_t>(1, s.total > s.warmup ? s.total - s.warmup : 0));
      const double kPi = 3.14159265358979323846;
      return s.min_lr + (s.lr - s.min_lr) * 0.5 * (1 + std::cos(kPi * std::min(u, horizon) / horizon));
    }
  }
  return s.lr;
}

}  // namespace fastnn
