/** Learning-rate schedules, as native/core/schedule.cc computes them (see backend.ts ScheduleSpec). */
import { Schedule, type ScheduleSpec } from '../backend.js';

export function scheduleLr(s: ScheduleSpec, t: number): number {
  if (t < s.warmup) return (s.lr * (t + 1)) / s.warmup;
  const u = t - s.warmup;
  switch (s.type) {
    case Schedule.step:
      return s.lr * s.gamma ** Math.floor(u / s.stepSize);
    case Schedule.exponential:
      return s.lr * s.gamma ** u;
    case Schedule.cosine: {
      const horizon = Math.max(1, s.total > s.warmup ? s.total - s.warmup : 0);
      return s.minLr + (s.lr - s.minLr) * 0.5 * (1 + Math.cos((Math.PI * Math.min(u, horizon)) / horizon));
    }
    default:
      return s.lr;
  }
}
