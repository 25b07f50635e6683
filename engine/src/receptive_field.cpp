#include "nnlab/receptive_field.h"

#include <algorithm>
#include <set>

namespace nnlab {
namespace {

struct ResolvedLayer {
  std::vector<Index> k, s, p, d;
};

Result<std::vector<Index>> expand(const DimValues& v, int rank, const std::string& name) {
  if (v.size() == 1) return std::vector<Index>(static_cast<size_t>(rank), v[0]);
  if (v.size() == static_cast<size_t>(rank)) return v;
  return Error{name, "give 1 value or " + std::to_string(rank) +
                         " (one per spatial dimension), got " + std::to_string(v.size())};
}

Result<std::vector<ResolvedLayer>> resolve(const std::vector<RfLayer>& layers, int rank) {
  if (rank < 1 || rank > 3)
    return Error{"rank", "must be 1, 2 or 3 (got " + std::to_string(rank) + ")"};
  std::vector<ResolvedLayer> out;
  for (size_t l = 0; l < layers.size(); ++l) {
    const std::string at = "layer " + std::to_string(l + 1);
    auto k = expand(layers[l].kernel, rank, at + " kernel");
    auto s = expand(layers[l].stride, rank, at + " stride");
    auto p = expand(layers[l].padding, rank, at + " padding");
    auto d = expand(layers[l].dilation, rank, at + " dilation");
    for (const auto* r : {&k, &s, &p, &d})
      if (!*r) return r->error();
    for (int i = 0; i < rank; ++i) {
      const size_t a = static_cast<size_t>(i);
      if ((*k)[a] < 1)
        return Error{at + " kernel", "must be at least 1 (got " + std::to_string((*k)[a]) + ")"};
      if ((*s)[a] < 1)
        return Error{at + " stride", "must be at least 1 (got " + std::to_string((*s)[a]) + ")"};
      if ((*d)[a] < 1)
        return Error{at + " dilation", "must be at least 1 (got " + std::to_string((*d)[a]) + ")"};
      if ((*p)[a] < 0)
        return Error{at + " padding", "must be at least 0 (got " + std::to_string((*p)[a]) + ")"};
    }
    out.push_back({*k, *s, *p, *d});
  }
  return out;
}

} // namespace

Result<ReceptiveFieldTable> receptiveFields(const std::vector<RfLayer>& layers, int spatialRank,
                                            const std::vector<Index>& inputSize) {
  Result<std::vector<ResolvedLayer>> resolved = resolve(layers, spatialRank);
  if (!resolved) return resolved.error();
  if (!inputSize.empty() && inputSize.size() != static_cast<size_t>(spatialRank))
    return Error{"input", "give " + std::to_string(spatialRank) + " spatial sizes (got " +
                              std::to_string(inputSize.size()) + ")"};
  const size_t rank = static_cast<size_t>(spatialRank);
  ReceptiveFieldTable t;
  t.spatialRank = spatialRank;
  t.layers.push_back({std::vector<Index>(rank, 1), std::vector<Index>(rank, 1),
                      std::vector<Index>(rank, 0), inputSize});
  for (size_t l = 0; l < resolved->size(); ++l) {
    const ResolvedLayer& L = (*resolved)[l];
    const RfLayerInfo& prev = t.layers.back();
    RfLayerInfo cur;
    for (size_t i = 0; i < rank; ++i) {
      const Index span = L.d[i] * (L.k[i] - 1) + 1;
      cur.rf.push_back(prev.rf[i] + (span - 1) * prev.jump[i]);
      cur.jump.push_back(prev.jump[i] * L.s[i]);
      cur.start.push_back(prev.start[i] - L.p[i] * prev.jump[i]);
      if (!inputSize.empty()) {
        const Index padded = prev.outputSize[i] + 2 * L.p[i];
        if (span > padded)
          return Error{"layer " + std::to_string(l + 1) + " kernel",
                       "extent " + std::to_string(span) + " exceeds its padded input " +
                           std::to_string(padded) + " by " + std::to_string(span - padded)};
        cur.outputSize.push_back((padded - span) / L.s[i] + 1);
      }
    }
    t.layers.push_back(std::move(cur));
  }
  return t;
}

Result<UnitDependencies> unitDependencies(const std::vector<RfLayer>& layers, int spatialRank,
                                          int layer, const std::vector<Index>& unit,
                                          const std::vector<Index>& inputSize) {
  Result<ReceptiveFieldTable> table = receptiveFields(layers, spatialRank, inputSize);
  if (!table) return table.error();
  if (layer < 0 || layer > static_cast<int>(layers.size()))
    return Error{"layer", "must be between 0 and " + std::to_string(layers.size()) + " (got " +
                              std::to_string(layer) + ")"};
  if (unit.size() != static_cast<size_t>(spatialRank))
    return Error{"unit",
                 "give one index per spatial dimension (" + std::to_string(spatialRank) + ")"};
  Result<std::vector<ResolvedLayer>> resolved = resolve(layers, spatialRank);
  const size_t rank = static_cast<size_t>(spatialRank);
  const RfLayerInfo& info = table->layers[static_cast<size_t>(layer)];
  for (size_t i = 0; i < rank; ++i)
    if (unit[i] < 0 || (!info.outputSize.empty() && unit[i] >= info.outputSize[i]))
      return Error{"unit", "index " + std::to_string(unit[i]) + " is outside layer " +
                               std::to_string(layer)};

  UnitDependencies deps;
  deps.units.assign(static_cast<size_t>(layer) + 1, std::vector<std::vector<Index>>(rank));
  for (size_t i = 0; i < rank; ++i) {
    deps.units[static_cast<size_t>(layer)][i] = {unit[i]};
    deps.inputBoxFirst.push_back(info.start[i] + unit[i] * info.jump[i]);
    deps.inputBoxLast.push_back(deps.inputBoxFirst.back() + info.rf[i] - 1);
    // Unit o of layer l reads positions o·s − p + j·d (j < k) of layer l − 1.
    for (int l = layer; l >= 1; --l) {
      const ResolvedLayer& L = (*resolved)[static_cast<size_t>(l - 1)];
      std::set<Index> below;
      for (Index o : deps.units[static_cast<size_t>(l)][i])
        for (Index j = 0; j < L.k[i]; ++j) {
          const Index at = o * L.s[i] - L.p[i] + j * L.d[i];
          const std::vector<Index>& size = table->layers[static_cast<size_t>(l - 1)].outputSize;
          if (size.empty() || (at >= 0 && at < size[i])) below.insert(at);
        }
      deps.units[static_cast<size_t>(l - 1)][i].assign(below.begin(), below.end());
    }
  }
  return deps;
}

} // namespace nnlab
