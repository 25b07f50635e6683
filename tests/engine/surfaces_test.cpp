// Loss surfaces: analytic gradients against central differences everywhere in each domain,
// known minima against the gradient (zero) and against the closed-form values from the
// literature, and the "NAME[:key=value]" factory's errors.
#include "nnlab/surfaces.h"

#include <cmath>

#include <gtest/gtest.h>

namespace nnlab {
namespace {

std::vector<std::unique_ptr<Surface>> everySurface() {
  std::vector<std::unique_ptr<Surface>> all;
  for (SurfaceKind kind : kAllSurfaceKinds) all.push_back(makeSurface(kind));
  // And the parameterized ones away from their defaults: a rotated, badly conditioned bowl and a
  // shifted Rosenbrock.
  all.push_back(
      makeSurface(SurfaceKind::QuadraticBowl, {.conditionNumber = 50, .rotationDegrees = 30}));
  all.push_back(makeSurface(SurfaceKind::Rosenbrock, {.rosenbrockA = -0.5, .rosenbrockB = 10}));
  return all;
}

TEST(Surfaces, AnalyticGradientMatchesCentralDifferences) {
  // Central differences err by O(h²·f''') + O(ε·f/h) with h = 1e-5·max(1, |x|); over a 13×13 grid
  // covering each plot box, relative 1e-6 of the gradient's scale holds for all of them.
  for (const auto& surface : everySurface()) {
    SCOPED_TRACE(surface->title());
    const Box2 box = surface->domain();
    for (int i = 0; i <= 12; ++i) {
      for (int j = 0; j <= 12; ++j) {
        const Vec2 p = {box.xMin + (box.xMax - box.xMin) * i / 12.0 + 0.013,
                        box.yMin + (box.yMax - box.yMin) * j / 12.0 - 0.007};
        const Vec2 analytic = surface->gradient(p);
        const Vec2 numeric = centralDifferenceGradient(*surface, p);
        const double scale = 1 + std::fabs(surface->value(p)) + norm(analytic);
        EXPECT_NEAR(analytic.x, numeric.x, 1e-6 * scale) << "at (" << p.x << ", " << p.y << ")";
        EXPECT_NEAR(analytic.y, numeric.y, 1e-6 * scale) << "at (" << p.x << ", " << p.y << ")";
      }
    }
  }
}

TEST(Surfaces, KnownMinimaHaveZeroGradientAndLieInTheDomain) {
  // Minima from the closed form or refined by Newton's method to 40 digits (surfaces.h): their
  // gradient vanishes to a few ulps of the terms that cancel in it.
  for (const auto& surface : everySurface()) {
    SCOPED_TRACE(surface->title());
    for (Vec2 m : surface->minima()) {
      EXPECT_LT(norm(surface->gradient(m)), 1e-12) << "at (" << m.x << ", " << m.y << ")";
      EXPECT_TRUE(surface->domain().contains(m)) << "at (" << m.x << ", " << m.y << ")";
      // A minimum, not a saddle: f rises a little way off in every direction.
      for (int k = 0; k < 8; ++k) {
        const double angle = k * 3.14159265358979 / 4;
        const Vec2 off = m + 1e-3 * Vec2{std::cos(angle), std::sin(angle)};
        EXPECT_GT(surface->value(off), surface->value(m)) << "direction " << k;
      }
    }
  }
}

TEST(Surfaces, MinimaAndValuesFromTheLiterature) {
  // Rosenbrock f(1, 1) = 0; Beale f(3, 0.5) = 0; Booth f(1, 3) = 0; Himmelblau f = 0 at all four;
  // six-hump camel's global minimum f(±0.0898, ∓0.7126) = −1.0316284535 (Molga & Smutnicki 2005);
  // Rastrigin f(0, 0) = 0.
  EXPECT_DOUBLE_EQ(makeSurface(SurfaceKind::Rosenbrock)->value({1, 1}), 0);
  EXPECT_DOUBLE_EQ(makeSurface(SurfaceKind::Beale)->value({3, 0.5}), 0);
  EXPECT_DOUBLE_EQ(makeSurface(SurfaceKind::Booth)->value({1, 3}), 0);
  auto himmelblau = makeSurface(SurfaceKind::Himmelblau);
  ASSERT_EQ(himmelblau->minima().size(), 4u);
  for (Vec2 m : himmelblau->minima()) EXPECT_NEAR(himmelblau->value(m), 0, 1e-25);
  auto camel = makeSurface(SurfaceKind::SixHumpCamel);
  ASSERT_EQ(camel->minima().size(), 6u);
  EXPECT_NEAR(camel->value(camel->minima()[0]), -1.0316284534898774, 1e-12);
  EXPECT_NEAR(camel->value(camel->minima()[1]), -1.0316284534898774, 1e-12);
  EXPECT_DOUBLE_EQ(makeSurface(SurfaceKind::Rastrigin)->value({0, 0}), 0);
  // Saddles have no minima; the bilinear 2x + 3xy's only stationary point (0, −2/3) is a saddle.
  EXPECT_TRUE(makeSurface(SurfaceKind::Saddle)->minima().empty());
  EXPECT_TRUE(makeSurface(SurfaceKind::MonkeySaddle)->minima().empty());
  auto bilinear = makeSurface(SurfaceKind::Bilinear);
  EXPECT_TRUE(bilinear->minima().empty());
  EXPECT_NEAR(norm(bilinear->gradient({0, -2.0 / 3})), 0, 1e-15); // 2 + 3·(−2/3) rounds to 1e-16
}

TEST(Surfaces, QuadraticBowlHasTheRequestedConditionNumberAndRotation) {
  // f = ½ pᵀAp with A = R diag(1, κ) Rᵀ: along the axis at θ the curvature is 1, across it κ.
  auto bowl =
      makeSurface(SurfaceKind::QuadraticBowl, {.conditionNumber = 25, .rotationDegrees = 30});
  const double c = std::cos(3.14159265358979323846 / 6), s = std::sin(3.14159265358979323846 / 6);
  EXPECT_NEAR(bowl->value({c, s}), 0.5, 1e-14);   // ½·1·1²
  EXPECT_NEAR(bowl->value({-s, c}), 12.5, 1e-13); // ½·25·1²
  EXPECT_EQ(bowl->title(), "Quadratic bowl (κ = 25, θ = 30°)");
}

TEST(Surfaces, NamesAndFormulas) {
  const std::vector<std::string> names = surfaceNames();
  ASSERT_EQ(names.size(), 10u);
  for (SurfaceKind kind : kAllSurfaceKinds) {
    EXPECT_EQ(surfaceKindFromId(surfaceId(kind)), kind);
    auto surface = makeSurface(kind);
    EXPECT_EQ(surface->name(), surfaceId(kind));
    EXPECT_FALSE(surface->formula().empty());
    const Box2 box = surface->domain();
    EXPECT_LT(box.xMin, box.xMax);
    EXPECT_LT(box.yMin, box.yMax);
  }
  EXPECT_EQ(makeSurface(SurfaceKind::Rosenbrock)->formula(), "(1 − x)² + 100(y − x²)²");
  EXPECT_EQ(makeSurface(SurfaceKind::Saddle)->formula(), "x² − y²");
}

TEST(Surfaces, SpecStringsBuildAndReportErrors) {
  auto bowl = makeSurface("quadratic:kappa=4,angle=90");
  ASSERT_TRUE(bowl) << bowl.error().message();
  // Rotated by 90°, the stiff axis (κ = 4) is x: f(1, 0) = ½·4.
  EXPECT_NEAR((*bowl)->value({1, 0}), 2, 1e-14);
  auto rosen = makeSurface("rosenbrock:a=2,b=5");
  ASSERT_TRUE(rosen);
  EXPECT_EQ((*rosen)->minima().front(), (Vec2{2, 4}));

  auto unknown = makeSurface("rosenbrok");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().where, "surface");
  EXPECT_NE(unknown.error().what.find("unknown surface 'rosenbrok'"), std::string::npos);
  auto badKey = makeSurface("quadratic:kapa=3");
  ASSERT_FALSE(badKey);
  EXPECT_EQ(badKey.error().what, "unknown key 'kapa' for 'quadratic' (known keys: kappa, angle)");
  auto noKeys = makeSurface("booth:a=1");
  ASSERT_FALSE(noKeys);
  EXPECT_EQ(noKeys.error().what, "unknown key 'a' for 'booth' (it takes no keys)");
  auto badKappa = makeSurface("quadratic:kappa=0.5");
  ASSERT_FALSE(badKappa);
  EXPECT_NE(badKappa.error().what.find("kappa"), std::string::npos);
}

} // namespace
} // namespace nnlab
