// IEEE float semantics are part of fastnn's contract: NaN checks (non-finite
// loss detection, input validation) and the fp32 tolerances the tests state
// assume them. -ffast-math (or -Ofast) lets the compiler assume no NaN or Inf
// exists and delete those checks, so it is refused at compile time.
#pragma once

#include <limits>

#if defined(__FAST_MATH__) || defined(__FINITE_MATH_ONLY__) && __FINITE_MATH_ONLY__
#error "fastnn must not be compiled with -ffast-math, -Ofast or -ffinite-math-only: NaN checks would be removed"
#endif

static_assert(std::numeric_limits<float>::is_iec559, "fastnn needs IEEE 754 float");
static_assert(std::numeric_limits<double>::is_iec559, "fastnn needs IEEE 754 double");
