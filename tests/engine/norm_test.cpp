// Tests for norm.h: hand-worked statistics, the grouping the lab colours by, errors, finite
// differences for all six gradients (double-precision reference), and PyTorch 1.13 golden files
// (tests/golden/make_norm_golden.py).
#include "nnlab/norm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace nnlab {
namespace {

using nlohmann::json;

// The calc example of issue 5: N = 1, C = 2, H = W = 2.
//   channel 0 = [[0, 2], [4, 6]], channel 1 = [[1, 1], [1, 1]]
Tensor issueExample() {
  return Tensor(Shape{1, 2, 2, 2}, {0, 2, 4, 6, 1, 1, 1, 1});
}

NormSpec specOf(NormKind kind, Index groups = 1, float eps = 1e-5f) {
  NormSpec spec;
  spec.kind = kind;
  spec.groups = groups;
  spec.eps = eps;
  return spec;
}

std::vector<float> valuesOf(const Tensor& t) {
  return t.toVector();
}

// ---- Hand-worked statistics ---------------------------------------------------------------------

TEST(NormForward, BatchStatisticsOfIssueExample) {
  // Batch: one statistic per channel over N·H·W = 4 values.
  //   μ₀ = (0 + 2 + 4 + 6) / 4 = 3,  σ²₀ = (9 + 1 + 1 + 9) / 4 = 5
  //   μ₁ = (1 + 1 + 1 + 1) / 4 = 1,  σ²₁ = 0
  Result<NormForward> f = normForward(issueExample(), specOf(NormKind::Batch));
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_EQ(f->mean.shape(), (Shape{2}));
  EXPECT_EQ(valuesOf(f->mean), (std::vector<float>{3, 1}));
  EXPECT_EQ(valuesOf(f->var), (std::vector<float>{5, 0}));
  // x̂(0,0,0,0) = (0 − 3) / √(5 + 1e-5) = −1.341639...; channel 1 is constant, so x̂ = 0 there.
  EXPECT_NEAR(f->normalized(0, 0, 0, 0), -3.0 / std::sqrt(5.0 + 1e-5), 1e-6);
  EXPECT_NEAR(f->normalized(0, 0, 1, 1), 3.0 / std::sqrt(5.0 + 1e-5), 1e-6);
  EXPECT_EQ(f->normalized(0, 1, 0, 1), 0.0f);
}

TEST(NormForward, LayerStatisticsOfIssueExample) {
  // Layer: one statistic per sample over C·H·W = 8 values.
  //   μ = (0 + 2 + 4 + 6 + 1 + 1 + 1 + 1) / 8 = 16 / 8 = 2
  //   σ² = (4 + 0 + 4 + 16 + 1 + 1 + 1 + 1) / 8 = 28 / 8 = 3.5
  Result<NormForward> f = normForward(issueExample(), specOf(NormKind::Layer));
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_EQ(f->mean.shape(), (Shape{1}));
  EXPECT_EQ(valuesOf(f->mean), (std::vector<float>{2}));
  EXPECT_EQ(valuesOf(f->var), (std::vector<float>{3.5f}));
  // x̂(0,1,0,0) = (1 − 2) / √(3.5 + 1e-5)
  EXPECT_NEAR(f->normalized(0, 1, 0, 0), -1.0 / std::sqrt(3.5 + 1e-5), 1e-6);
}

TEST(NormForward, InstanceAndGroupStatisticsOfIssueExample) {
  // Instance: one statistic per (sample, channel) over H·W = 4 values: [[3, 1]], var [[5, 0]].
  Result<NormForward> inst = normForward(issueExample(), specOf(NormKind::Instance));
  ASSERT_TRUE(inst) << inst.error().message();
  EXPECT_EQ(inst->mean.shape(), (Shape{1, 2}));
  EXPECT_EQ(valuesOf(inst->mean), (std::vector<float>{3, 1}));
  EXPECT_EQ(valuesOf(inst->var), (std::vector<float>{5, 0}));
  // Group with G = C = 2 is instance normalization; with G = 1 it is layer normalization.
  Result<NormForward> g2 = normForward(issueExample(), specOf(NormKind::Group, 2));
  ASSERT_TRUE(g2) << g2.error().message();
  EXPECT_EQ(g2->mean.shape(), (Shape{1, 2}));
  EXPECT_EQ(valuesOf(g2->mean), (std::vector<float>{3, 1}));
  Result<NormForward> g1 = normForward(issueExample(), specOf(NormKind::Group, 1));
  ASSERT_TRUE(g1) << g1.error().message();
  EXPECT_EQ(g1->mean.shape(), (Shape{1, 1}));
  EXPECT_EQ(valuesOf(g1->mean), (std::vector<float>{2}));
  EXPECT_EQ(valuesOf(g1->var), (std::vector<float>{3.5f}));
}

TEST(NormForward, AffineAppliesGammaAndBetaPerChannel) {
  // y = γ_c x̂ + β_c. With γ = [2, 5], β = [1, −1]: y(0,0,0,0) = 2 · (−3/√5.00001) + 1, and channel
  // 1 (x̂ = 0) becomes β₁ = −1 everywhere.
  NormAffine affine{Tensor(Shape{2}, {2, 5}), Tensor(Shape{2}, {1, -1})};
  Result<NormForward> f = normForward(issueExample(), specOf(NormKind::Batch), affine);
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_NEAR(f->output(0, 0, 0, 0), 2.0 * (-3.0 / std::sqrt(5.0 + 1e-5)) + 1.0, 1e-6);
  EXPECT_EQ(f->output(0, 1, 1, 0), -1.0f);
}

TEST(NormForward, RunningStatisticsFollowPyTorchMomentumAndUnbiasedVariance) {
  // From mean 0, var 1 with momentum 0.1 on the issue example (m = 4 values per channel):
  //   running mean = 0.9 · [0, 0] + 0.1 · [3, 1] = [0.3, 0.1]
  //   running var  = 0.9 · [1, 1] + 0.1 · [5 · 4/3, 0 · 4/3] = [1.566667, 0.9]  (unbiased: m/(m−1))
  RunningStats running = RunningStats::initial(2);
  Result<NormForward> f = normForward(issueExample(), specOf(NormKind::Batch), {}, &running);
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_NEAR(f->running.mean(0), 0.3f, 1e-7);
  EXPECT_NEAR(f->running.mean(1), 0.1f, 1e-7);
  EXPECT_NEAR(f->running.var(0), 0.9 + 0.1 * 5.0 * 4.0 / 3.0, 1e-6);
  EXPECT_NEAR(f->running.var(1), 0.9f, 1e-7);
  // The input's running statistics are not modified: the function is pure.
  EXPECT_EQ(running.mean(0), 0.0f);
}

TEST(NormForward, EvaluationUsesRunningStatistics) {
  // Eval: x̂ = (x − running mean) / √(running var + ε); running mean [1, 0], var [4, 1]:
  //   x̂(0,0,1,0) = (4 − 1) / √(4 + 1e-5),  x̂(0,1,0,0) = (1 − 0) / √(1 + 1e-5)
  RunningStats running{Tensor(Shape{2}, {1, 0}), Tensor(Shape{2}, {4, 1})};
  NormSpec spec = specOf(NormKind::Batch);
  spec.mode = NormMode::Evaluation;
  Result<NormForward> f = normForward(issueExample(), spec, {}, &running);
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_NEAR(f->normalized(0, 0, 1, 0), 3.0 / std::sqrt(4.0 + 1e-5), 1e-6);
  EXPECT_NEAR(f->normalized(0, 1, 0, 0), 1.0 / std::sqrt(1.0 + 1e-5), 1e-6);
  EXPECT_EQ(valuesOf(f->running.mean), valuesOf(running.mean)); // unchanged in evaluation
}

TEST(NormForward, NormalizedHasZeroMeanAndShrunkUnitVariancePerStatistic) {
  // Property over many shapes and all kinds: per statistic, mean(x̂) = 0 and
  // var(x̂) = σ² / (σ² + ε) (from x̂ = (x − μ)/√(σ² + ε)).
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(1.5f, 2.0f);
  const std::vector<Shape> shapes = {{5, 4}, {2, 4, 3}, {3, 4, 2, 5}, {2, 4, 2, 2, 3}};
  for (const Shape& shape : shapes)
    for (NormKind kind : {NormKind::Batch, NormKind::Layer, NormKind::Instance, NormKind::Group}) {
      if (kind == NormKind::Instance && shape.rank() == 2) continue; // one value per statistic
      Tensor x(shape);
      for (float& v : x.values()) v = normal(rng);
      Result<NormForward> f = normForward(x, specOf(kind, 2, 1e-3f));
      ASSERT_TRUE(f) << f.error().message();
      const NormLayout& layout = f->layout;
      std::vector<double> sum(static_cast<size_t>(layout.statisticCount())), sq(sum.size());
      for (Index i = 0; i < x.numel(); ++i) {
        const size_t k = static_cast<size_t>(layout.statisticIndexOfElement(i));
        sum[k] += f->normalized.data()[i];
        sq[k] += double(f->normalized.data()[i]) * f->normalized.data()[i];
      }
      const double m = static_cast<double>(layout.elementsPerStatistic());
      for (size_t k = 0; k < sum.size(); ++k) {
        const double var = f->var.data()[k];
        EXPECT_NEAR(sum[k] / m, 0.0, 1e-5) << shape.toString() << " " << normKindName(kind);
        EXPECT_NEAR(sq[k] / m, var / (var + 1e-3), 1e-4) << shape.toString();
      }
    }
}

// ---- Which elements share a statistic
// -------------------------------------------------------------

TEST(NormLayout, StatisticIndexMatchesTheGroupNormPaperFigure) {
  // N = 2, C = 6, H = W = 1; G = 3 groups of 2 consecutive channels (Wu & He 2018, figure 2).
  const Shape shape{2, 6, 1, 1};
  auto make = [&](NormKind kind, Index g = 1) { return NormLayout::make(shape, kind, g).value(); };
  const NormLayout batch = make(NormKind::Batch), layer = make(NormKind::Layer);
  const NormLayout instance = make(NormKind::Instance), group = make(NormKind::Group, 3);
  EXPECT_EQ(batch.statisticIndex(1, 4), 4);     // channel c across the batch
  EXPECT_EQ(layer.statisticIndex(1, 4), 1);     // sample n
  EXPECT_EQ(instance.statisticIndex(1, 4), 10); // (n, c) flat in [N, C]: 1·6 + 4
  EXPECT_EQ(group.statisticIndex(1, 4), 5);     // (n, c / 2) flat in [N, G]: 1·3 + 2
  EXPECT_EQ(group.statisticIndex(0, 1), 0);
  EXPECT_EQ(group.statisticIndex(0, 2), 1);
  EXPECT_EQ(batch.statisticsShape(), (Shape{6}));
  EXPECT_EQ(layer.statisticsShape(), (Shape{2}));
  EXPECT_EQ(instance.statisticsShape(), (Shape{2, 6}));
  EXPECT_EQ(group.statisticsShape(), (Shape{2, 3}));
  EXPECT_EQ(group.elementsPerStatistic(), 2);
}

TEST(NormLayout, StatisticIndexOfElementIgnoresSpatialPosition) {
  // Shape [2, 3, 2, 2]: flat index of (n, c, h, w) = ((n·3 + c)·2 + h)·2 + w.
  const NormLayout instance = NormLayout::make(Shape{2, 3, 2, 2}, NormKind::Instance).value();
  for (Index n = 0; n < 2; ++n)
    for (Index c = 0; c < 3; ++c)
      for (Index hw = 0; hw < 4; ++hw)
        EXPECT_EQ(instance.statisticIndexOfElement((n * 3 + c) * 4 + hw), n * 3 + c);
  EXPECT_EQ(instance.elementsPerStatistic(), 4);
}

// ---- Errors -------------------------------------------------------------------------------------

TEST(NormErrors, NameTheQuantityAtFault) {
  Tensor x = issueExample();
  auto messageOf = [](const Result<NormForward>& r) {
    return r ? std::string("ok") : r.error().message();
  };

  EXPECT_EQ(messageOf(normForward(Tensor(Shape{4}, {1, 2, 3, 4}), specOf(NormKind::Batch))),
            "input: expected rank 2 (N×C), 3 (N×C×L), 4 (N×C×H×W) or 5 (N×C×D×H×W), got rank 1 "
            "(shape 4)");
  EXPECT_EQ(messageOf(normForward(Tensor(Shape{1, 6, 2}), specOf(NormKind::Group, 4))),
            "groups: C = 6 is not divisible by G = 4");
  EXPECT_EQ(messageOf(normForward(x, specOf(NormKind::Layer, 1, 0.0f))),
            "eps: must be positive and finite (got 0)");
  EXPECT_EQ(messageOf(normForward(x, specOf(NormKind::Layer, 1, -1e-5f))),
            "eps: must be positive and finite (got -1e-05)");
  Tensor withNan = x;
  withNan(0, 1, 1, 0) = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(messageOf(normForward(withNan, specOf(NormKind::Instance))),
            "input: NaN at [0][1][1][0]");
  NormAffine badGamma{Tensor(Shape{3}, 1.0f), {}};
  EXPECT_EQ(messageOf(normForward(x, specOf(NormKind::Batch), badGamma)),
            "gamma: expected shape 2 (one per channel, C = 2), got 3");

  RunningStats running = RunningStats::initial(2);
  EXPECT_EQ(messageOf(normForward(x, specOf(NormKind::Layer), {}, &running)),
            "running statistics: only batch normalization keeps them; layer normalization uses "
            "each input's own statistics in training and evaluation");
  NormSpec eval = specOf(NormKind::Batch);
  eval.mode = NormMode::Evaluation;
  EXPECT_EQ(messageOf(normForward(x, eval)),
            "running statistics: batch normalization in evaluation mode needs the running mean "
            "and variance");
  // N×C with N = 1: each channel's batch statistic covers one value (PyTorch raises as well).
  EXPECT_NE(
      messageOf(normForward(Tensor(Shape{1, 2}, {1, 2}), specOf(NormKind::Batch), {}, &running))
          .find("m − 1 = 0"),
      std::string::npos);
}

TEST(NormErrors, BackwardChecksUpstreamGradient) {
  Tensor x = issueExample();
  Result<NormForward> f = normForward(x, specOf(NormKind::Batch));
  ASSERT_TRUE(f);
  Result<NormBackward> b = normBackward(Tensor(Shape{1, 2, 4}), x, *f);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().message(), "upstream gradient: expected shape 1x2x2x2, got 1x2x4");
}

// ---- Finite differences
// ---------------------------------------------------------------------------

// A double-precision reference of the forward pass written from the definitions, and the loss
// L = Σ w · y whose gradients the engine's backward must give (∂L/∂y = w).
struct Reference {
  const NormLayout& layout;
  double eps;
  std::vector<double> x, gamma, beta, w;

  size_t stat(size_t i) const {
    return static_cast<size_t>(layout.statisticIndexOfElement(static_cast<Index>(i)));
  }
  size_t channel(size_t i) const {
    return static_cast<size_t>((static_cast<Index>(i) / layout.spatialSize()) % layout.channels());
  }
  std::vector<double> means() const {
    std::vector<double> mu(static_cast<size_t>(layout.statisticCount()));
    for (size_t i = 0; i < x.size(); ++i) mu[stat(i)] += x[i];
    for (double& v : mu) v /= static_cast<double>(layout.elementsPerStatistic());
    return mu;
  }
  std::vector<double> variances(const std::vector<double>& mu) const { // biased, around mu
    std::vector<double> var(mu.size());
    for (size_t i = 0; i < x.size(); ++i)
      var[stat(i)] += (x[i] - mu[stat(i)]) * (x[i] - mu[stat(i)]);
    for (double& v : var) v /= static_cast<double>(layout.elementsPerStatistic());
    return var;
  }
  double lossFromNormalized(const std::vector<double>& xhat) const {
    double loss = 0;
    for (size_t i = 0; i < x.size(); ++i)
      loss += w[i] * (gamma[channel(i)] * xhat[i] + beta[channel(i)]);
    return loss;
  }
  double lossFromStatistics(const std::vector<double>& mu, const std::vector<double>& var) const {
    std::vector<double> xhat(x.size());
    for (size_t i = 0; i < x.size(); ++i)
      xhat[i] = (x[i] - mu[stat(i)]) / std::sqrt(var[stat(i)] + eps);
    return lossFromNormalized(xhat);
  }
};

template <class F> double centralDifference(double& variable, F loss, double h = 1e-5) {
  const double saved = variable;
  variable = saved + h;
  const double up = loss();
  variable = saved - h;
  const double down = loss();
  variable = saved;
  return (up - down) / (2 * h);
}

void expectClose(float engine, double reference, const std::string& what) {
  EXPECT_NEAR(engine, reference, 2e-4 * (1.0 + std::fabs(reference))) << what;
}

void checkGradientsByFiniteDifferences(const Shape& shape, const NormSpec& spec) {
  SCOPED_TRACE(std::string(normKindName(spec.kind)) + " " + shape.toString() +
               (spec.mode == NormMode::Evaluation ? " eval" : " train"));
  std::mt19937 rng(11);
  std::normal_distribution<float> normal(0.5f, 1.5f);
  Tensor x(shape), dy(shape);
  for (float& v : x.values()) v = normal(rng);
  for (float& v : dy.values()) v = normal(rng);
  const Index channels = shape[1];
  NormAffine affine{Tensor(Shape{channels}), Tensor(Shape{channels})};
  for (float& v : affine.gamma.values()) v = 1.0f + 0.25f * normal(rng);
  for (float& v : affine.beta.values()) v = normal(rng);
  RunningStats running{Tensor(Shape{channels}), Tensor(Shape{channels})};
  for (float& v : running.mean.values()) v = normal(rng);
  for (float& v : running.var.values()) v = 0.5f + std::fabs(normal(rng));
  const bool eval = spec.kind == NormKind::Batch && spec.mode == NormMode::Evaluation;

  Result<NormForward> f = normForward(x, spec, affine, eval ? &running : nullptr);
  ASSERT_TRUE(f) << f.error().message();
  Result<NormBackward> b = normBackward(dy, x, *f, affine);
  ASSERT_TRUE(b) << b.error().message();

  auto toDouble = [](const Tensor& t) {
    return std::vector<double>(t.values().begin(), t.values().end());
  };
  Reference ref{f->layout,   spec.eps, toDouble(x), toDouble(affine.gamma), toDouble(affine.beta),
                toDouble(dy)};
  // The statistics as the forward pass uses them: from x (training) or the running ones (eval).
  auto statsMean = [&] { return eval ? toDouble(running.mean) : ref.means(); };
  auto statsVar = [&] { return eval ? toDouble(running.var) : ref.variances(ref.means()); };

  for (size_t i = 0; i < ref.x.size(); ++i) // ∂L/∂x through μ(x) and σ²(x)
    expectClose(b->dInput.data()[i],
                centralDifference(ref.x[i],
                                  [&] { return ref.lossFromStatistics(statsMean(), statsVar()); }),
                "dInput[" + std::to_string(i) + "]");
  for (size_t c = 0; c < ref.gamma.size(); ++c) {
    expectClose(b->dGamma.data()[c],
                centralDifference(ref.gamma[c],
                                  [&] { return ref.lossFromStatistics(statsMean(), statsVar()); }),
                "dGamma");
    expectClose(b->dBeta.data()[c],
                centralDifference(ref.beta[c],
                                  [&] { return ref.lossFromStatistics(statsMean(), statsVar()); }),
                "dBeta");
  }
  // ∂L/∂x̂ with x̂ as the free variable.
  std::vector<double> xhat = toDouble(f->normalized);
  for (size_t i = 0; i < xhat.size(); ++i)
    expectClose(b->dNormalized.data()[i],
                centralDifference(xhat[i], [&] { return ref.lossFromNormalized(xhat); }),
                "dNormalized");
  // ∂L/∂σ² with μ held: σ² enters only through x̂.
  std::vector<double> mu = statsMean(), var = statsVar();
  for (size_t k = 0; k < var.size(); ++k)
    expectClose(b->dVar.data()[k],
                centralDifference(var[k], [&] { return ref.lossFromStatistics(mu, var); }), "dVar");
  // ∂L/∂μ: in training σ² = (1/m) Σ (x − μ)² is a function of μ in the class's graph, so μ moves
  // both; in evaluation the running σ² is a constant.
  for (size_t k = 0; k < mu.size(); ++k)
    expectClose(
        b->dMean.data()[k],
        centralDifference(
            mu[k], [&] { return ref.lossFromStatistics(mu, eval ? var : ref.variances(mu)); }),
        "dMean");
}

TEST(NormBackward, AllSixGradientsMatchFiniteDifferences) {
  const std::vector<Shape> shapes = {{4, 6}, {2, 6, 5}, {3, 6, 2, 3}, {2, 6, 2, 2, 2}};
  for (const Shape& shape : shapes)
    for (NormKind kind : {NormKind::Batch, NormKind::Layer, NormKind::Instance, NormKind::Group}) {
      if (kind == NormKind::Instance && shape.rank() == 2) continue; // x̂ ≡ 0: nothing to check
      for (float eps : {1e-5f, 0.1f})
        checkGradientsByFiniteDifferences(shape,
                                          specOf(kind, kind == NormKind::Group ? 3 : 1, eps));
    }
}

TEST(NormBackward, BatchEvaluationGradientsMatchFiniteDifferences) {
  NormSpec spec = specOf(NormKind::Batch);
  spec.mode = NormMode::Evaluation;
  checkGradientsByFiniteDifferences(Shape{3, 4, 2, 2}, spec);
  checkGradientsByFiniteDifferences(Shape{5, 3}, spec);
}

// ---- PyTorch golden files -----------------------------------------------------------------------

Tensor tensorFrom(const json& values, const Shape& shape) {
  return Tensor(shape, values.get<std::vector<float>>());
}

void expectAllClose(const Tensor& engine, const json& reference, double tolerance,
                    const std::string& what) {
  const std::vector<double> ref = reference.get<std::vector<double>>();
  ASSERT_EQ(static_cast<size_t>(engine.numel()), ref.size()) << what;
  for (size_t i = 0; i < ref.size(); ++i)
    EXPECT_NEAR(engine.data()[i], ref[i], tolerance * (1.0 + std::fabs(ref[i])))
        << what << "[" << i << "]";
}

// Runs every case of tests/golden/norm_<kind>.json (F.batch_norm, F.layer_norm, F.instance_norm,
// F.group_norm and autograd in PyTorch 1.13) through normForward and normBackward.
void checkGoldenFile(const std::string& kindName) {
  const std::string path = std::string(NNLAB_GOLDEN_DIR) + "/norm_" + kindName + ".json";
  std::ifstream in(path);
  ASSERT_TRUE(in) << "missing golden file " << path << " (run tests/golden/make_norm_golden.py)";
  const json golden = json::parse(in);
  ASSERT_FALSE(golden.at("cases").empty());
  int caseIndex = 0;
  for (const json& c : golden.at("cases")) {
    const Shape shape(c.at("shape").get<std::vector<Index>>());
    SCOPED_TRACE(kindName + " case " + std::to_string(caseIndex++) + " shape " + shape.toString() +
                 " eps " + std::to_string(c.at("eps").get<double>()) + " " +
                 c.at("mode").get<std::string>() + (c.at("affine").get<bool>() ? " affine" : ""));
    NormSpec spec;
    spec.kind = parseNormKind(c.at("kind").get<std::string>()).value();
    spec.groups = c.at("groups").get<Index>();
    spec.eps = c.at("eps").get<float>();
    spec.momentum = c.at("momentum").get<float>();
    spec.mode = c.at("mode") == "training" ? NormMode::Training : NormMode::Evaluation;
    const Shape perChannel{shape[1]};
    NormAffine affine;
    if (c.at("affine").get<bool>())
      affine = {tensorFrom(c.at("gamma"), perChannel), tensorFrom(c.at("beta"), perChannel)};
    const Tensor x = tensorFrom(c.at("input"), shape);
    const Tensor dy = tensorFrom(c.at("grad_output"), shape);
    RunningStats running;
    const bool hasRunning = c.contains("running_mean_in");
    if (hasRunning)
      running = {tensorFrom(c.at("running_mean_in"), perChannel),
                 tensorFrom(c.at("running_var_in"), perChannel)};

    Result<NormForward> f = normForward(x, spec, affine, hasRunning ? &running : nullptr);
    ASSERT_TRUE(f) << f.error().message();
    expectAllClose(f->mean, c.at("mean"), 1e-5, "mean");
    expectAllClose(f->var, c.at("var"), 1e-5, "var");
    expectAllClose(f->output, c.at("output"), 1e-5, "output");
    if (!c.at("affine").get<bool>()) // without γ, β PyTorch's y is x̂ itself
      expectAllClose(f->normalized, c.at("output"), 1e-5, "normalized");
    if (hasRunning) {
      expectAllClose(f->running.mean, c.at("running_mean_out"), 1e-6, "running mean");
      expectAllClose(f->running.var, c.at("running_var_out"), 1e-6, "running var");
    }
    Result<NormBackward> b = normBackward(dy, x, *f, affine);
    ASSERT_TRUE(b) << b.error().message();
    expectAllClose(b->dInput, c.at("grad_input"), 1e-4, "grad input");
    if (c.at("affine").get<bool>()) {
      expectAllClose(b->dGamma, c.at("grad_gamma"), 1e-4, "grad gamma");
      expectAllClose(b->dBeta, c.at("grad_beta"), 1e-5, "grad beta");
    }
  }
}

TEST(NormGolden, BatchMatchesPyTorch) {
  checkGoldenFile("batch");
}
TEST(NormGolden, LayerMatchesPyTorch) {
  checkGoldenFile("layer");
}
TEST(NormGolden, InstanceMatchesPyTorch) {
  checkGoldenFile("instance");
}
TEST(NormGolden, GroupMatchesPyTorch) {
  checkGoldenFile("group");
}

// ---- Worked steps -------------------------------------------------------------------------------

TEST(NormDerivation, ShowsTheIssueExampleArithmetic) {
  // Batch on the issue example: m = N·S = 1·4; μ[0] = (0 + 2 + 4 + 6) / 4 = 3; σ²[0] = 5.
  Tensor x = issueExample();
  Result<NormForward> f = normForward(x, specOf(NormKind::Batch));
  ASSERT_TRUE(f);
  Derivation steps = normDerivation(x, *f);
  ASSERT_EQ(steps.size(), 1u + 3u * 2u); // m, then μ, σ², x̂ per channel
  EXPECT_EQ(steps[0].substituted, "1·4");
  EXPECT_EQ(steps[0].result, "4");
  EXPECT_EQ(steps[1].quantity, "μ[0]");
  EXPECT_EQ(steps[1].substituted, "(0 + 2 + 4 + 6) / 4");
  EXPECT_EQ(steps[1].result, "3");
  EXPECT_EQ(steps[2].substituted, "((0 − 3)² + (2 − 3)² + (4 − 3)² + (6 − 3)²) / 4");
  EXPECT_EQ(steps[2].result, "5");
  EXPECT_EQ(steps[3].quantity, "x̂[0][0][0][0]");
  EXPECT_EQ(steps[3].substituted, "(0 − 3) / √(5 + 1e-05)");
  EXPECT_EQ(steps[3].result, "-1.34164"); // −3 / 2.236070
  // Long sums are elided: layer statistic over 8 values with maxTerms = 3.
  Result<NormForward> layer = normForward(x, specOf(NormKind::Layer));
  ASSERT_TRUE(layer);
  EXPECT_EQ(normDerivation(x, *layer, 3)[1].substituted, "(0 + 2 + 4 + …) / 8");
}

} // namespace
} // namespace nnlab
