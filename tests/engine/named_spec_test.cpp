// "NAME[:key=value,...]" parsing, on strings written as a user would type them.
#include "nnlab/named_spec.h"

#include <gtest/gtest.h>

namespace nnlab {
namespace {

TEST(NamedSpec, ParsesNameAndNumbers) {
  auto spec = parseNamedSpec("cosine:t_max=500, eta_min=1e-3", "schedule");
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(spec->name, "cosine");
  ASSERT_EQ(spec->params.size(), 2u);
  EXPECT_EQ(spec->get("t_max", 0), 500);
  EXPECT_EQ(spec->get("eta_min", 0), 1e-3);
  EXPECT_EQ(spec->get("gamma", 0.5), 0.5); // not written: the fallback
  auto bare = parseNamedSpec("constant", "schedule");
  ASSERT_TRUE(bare);
  EXPECT_TRUE(bare->params.empty());
}

TEST(NamedSpec, ErrorsSayWhatIsWrong) {
  EXPECT_EQ(parseNamedSpec("step:gamma", "schedule").error().message(),
            "schedule: key 'gamma' needs a value (key=value)");
  EXPECT_EQ(parseNamedSpec("step:gamma=0.5x", "schedule").error().message(),
            "schedule: key 'gamma': '0.5x' is not a number");
  EXPECT_EQ(parseNamedSpec("step:gamma=1,gamma=2", "schedule").error().message(),
            "schedule: key 'gamma' given twice");
  EXPECT_FALSE(parseNamedSpec(":gamma=1", "schedule"));
  EXPECT_FALSE(parseNamedSpec("step:", "schedule"));
  auto spec = parseNamedSpec("step:gama=0.5", "schedule");
  ASSERT_TRUE(spec);
  Status keys = requireKnownKeys(*spec, {"step_size", "gamma"}, "schedule");
  ASSERT_FALSE(keys);
  EXPECT_EQ(keys.error().message(),
            "schedule: unknown key 'gama' for 'step' (known keys: step_size, gamma)");
}

} // namespace
} // namespace nnlab
