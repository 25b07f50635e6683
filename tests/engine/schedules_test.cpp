// Learning-rate schedules: values at chosen steps worked from each formula (schedules.h), the
// warmup, parsing and its errors. The same schedules against torch.optim.lr_scheduler over whole
// runs are in optim_test.cpp (MatchPyTorchPathsOver200Steps).
#include "nnlab/schedules.h"

#include <cmath>

#include <gtest/gtest.h>

namespace nnlab {
namespace {

Schedule parsed(const char* text) {
  Result<Schedule> s = parseSchedule(text);
  EXPECT_TRUE(s.ok()) << text << ": " << (s ? "" : s.error().message());
  return s ? *s : Schedule{};
}

TEST(Schedules, ValuesAtChosenSteps) {
  const double lr = 0.1;
  // constant: η₀ at every step.
  EXPECT_EQ(parsed("constant").learningRate(lr, 1, 100), 0.1);
  EXPECT_EQ(parsed("constant").learningRate(lr, 100, 100), 0.1);
  // step: η₀ γ^⌊(t − 1)/S⌋ with S = 10, γ = 0.5: t = 10 → 0.1, t = 11 → 0.05, t = 25 → 0.025.
  const Schedule step = parsed("step:step_size=10,gamma=0.5");
  EXPECT_DOUBLE_EQ(step.learningRate(lr, 10, 100), 0.1);
  EXPECT_DOUBLE_EQ(step.learningRate(lr, 11, 100), 0.05);
  EXPECT_DOUBLE_EQ(step.learningRate(lr, 25, 100), 0.025);
  // exponential: η₀ γ^(t − 1) with γ = 0.9: t = 1 → 0.1, t = 3 → 0.1·0.81 = 0.081.
  const Schedule exponential = parsed("exponential:gamma=0.9");
  EXPECT_DOUBLE_EQ(exponential.learningRate(lr, 1, 100), 0.1);
  EXPECT_DOUBLE_EQ(exponential.learningRate(lr, 3, 100), 0.081);
  // inv-sqrt: η₀/√t: t = 4 → 0.05, t = 100 → 0.01.
  EXPECT_DOUBLE_EQ(parsed("inv-sqrt").learningRate(lr, 4, 100), 0.05);
  EXPECT_DOUBLE_EQ(parsed("inv-sqrt").learningRate(lr, 100, 100), 0.01);
  // cosine with T = 100, η_min = 0.01: k = t − 1 = 0 → 0.1; k = 50 → 0.01 + 0.09·½ = 0.055;
  // k = 100 → 0.01, and it stays there past T.
  const Schedule cosine = parsed("cosine:t_max=100,eta_min=0.01");
  EXPECT_DOUBLE_EQ(cosine.learningRate(lr, 1, 500), 0.1);
  EXPECT_NEAR(cosine.learningRate(lr, 51, 500), 0.055, 1e-16);
  EXPECT_NEAR(cosine.learningRate(lr, 101, 500), 0.01, 1e-16);
  EXPECT_NEAR(cosine.learningRate(lr, 300, 500), 0.01, 1e-16);
  // t_max = 0 takes the run's length N: the last step of a 201-step run has k = 200 of T = 201,
  // η = 0.1·½(1 + cos(200π/201)) = 6.1e-6, just above η_min = 0.
  EXPECT_NEAR(parsed("cosine").learningRate(lr, 201, 201), 0.05 * (1 + std::cos(M_PI * 200 / 201)),
              1e-18);
}

TEST(Schedules, LinearWarmupThenTheSchedule) {
  // warmup = 4: η₀·t/4 for t = 1..4 (0.025, 0.05, 0.075, 0.1); then the schedule from its own
  // step 1: exponential γ = 0.5 gives 0.1 at t = 5 and 0.05 at t = 6.
  const Schedule s = parsed("exponential:gamma=0.5,warmup=4");
  EXPECT_DOUBLE_EQ(s.learningRate(0.1, 1, 100), 0.025);
  EXPECT_DOUBLE_EQ(s.learningRate(0.1, 3, 100), 0.075);
  EXPECT_DOUBLE_EQ(s.learningRate(0.1, 4, 100), 0.1);
  EXPECT_DOUBLE_EQ(s.learningRate(0.1, 5, 100), 0.1);
  EXPECT_DOUBLE_EQ(s.learningRate(0.1, 6, 100), 0.05);
  // "warmup" alone is constant afterwards.
  const Schedule w = parsed("warmup:warmup=10");
  EXPECT_DOUBLE_EQ(w.learningRate(1.0, 5, 100), 0.5);
  EXPECT_DOUBLE_EQ(w.learningRate(1.0, 50, 100), 1.0);
  // Cosine after warmup spans the remaining steps: 10 warmup + 90 cosine, η reaches 0 at t = 100.
  EXPECT_NEAR(parsed("cosine:warmup=10").learningRate(1.0, 100, 100),
              0.5 * (1 + std::cos(M_PI * 89 / 90)), 1e-15);
}

TEST(Schedules, DefaultsAndRoundTrip) {
  EXPECT_EQ(parsed("step").stepSize, 100);
  EXPECT_EQ(parsed("step").gamma, 0.5);
  EXPECT_EQ(parsed("exponential").gamma, 0.99);
  for (const char* text : {"constant", "step:step_size=30,gamma=0.1", "exponential:gamma=0.95",
                           "inv-sqrt:warmup=5", "cosine:t_max=300,eta_min=0.001,warmup=20"}) {
    const Schedule s = parsed(text);
    EXPECT_EQ(s.toString(), text);
    EXPECT_EQ(parsed(s.toString().c_str()), s);
  }
  EXPECT_EQ(scheduleNames().size(), 5u);
}

TEST(Schedules, ErrorsNameTheBadKey) {
  EXPECT_EQ(parseSchedule("step:gama=0.5").error().message(),
            "schedule: unknown key 'gama' for 'step' (known keys: step_size, gamma, warmup)");
  EXPECT_EQ(parseSchedule("linear").error().message(),
            "schedule: unknown schedule 'linear' (known: constant, step, exponential, inv-sqrt, "
            "cosine, warmup)");
  EXPECT_EQ(parseSchedule("step:step_size=2.5").error().message(),
            "schedule: key 'step_size' must be a whole number ≥ 1 (got 2.5)");
  EXPECT_EQ(parseSchedule("exponential:gamma=-1").error().message(),
            "schedule: key 'gamma' must be a finite number > 0 (got -1)");
  EXPECT_EQ(parseSchedule("cosine:warmup=-3").error().message(),
            "schedule: key 'warmup' must be a whole number ≥ 0 (got -3)");
  EXPECT_EQ(parseSchedule("cosine:eta_min=abc").error().message(),
            "schedule: key 'eta_min': 'abc' is not a number");
}

} // namespace
} // namespace nnlab
