// receptive_field.h: receptive-field algebra over a stack of convolution and pooling layers.
//
// Per layer l and per spatial dimension, with k_eff = d·(k − 1) + 1 (dilated kernel extent):
//   rf_l    = rf_{l−1} + (k_eff − 1) · jump_{l−1}     receptive field size, in input pixels
//   jump_l  = jump_{l−1} · s                          input pixels between neighbouring units
//   start_l = start_{l−1} − p · jump_{l−1}            first input pixel seen by unit 0
// starting from the input (rf 1, jump 1, start 0). Unit i of layer l sees the input box
// [start_l + i·jump_l, start_l + i·jump_l + rf_l − 1]; a negative start lies in the padding.
// Its centre is start + (rf − 1)/2 (the "start" of Dang Ha The Hien's guide, which uses centres).
//
//   std::vector<RfLayer> net = {RfLayer::conv(3, 1, 1), RfLayer::pool(2, 2), RfLayer::conv(3, 1, 0,
//   2)}; Result<ReceptiveFieldTable> t = receptiveFields(net, 2);   // rf 3, 4, 12; jump 1, 2, 2
#pragma once

#include <string>
#include <vector>

#include "nnlab/conv.h" // DimValues
#include "nnlab/status.h"

namespace nnlab {

enum class RfLayerKind { Conv, Pool };

struct RfLayer {
  RfLayerKind kind = RfLayerKind::Conv;
  DimValues kernel{1};
  DimValues stride{1};
  DimValues padding{0};
  DimValues dilation{1};

  static RfLayer conv(Index k, Index s = 1, Index p = 0, Index d = 1) {
    return {RfLayerKind::Conv, {k}, {s}, {p}, {d}};
  }
  static RfLayer pool(Index k, Index s, Index p = 0) {
    return {RfLayerKind::Pool, {k}, {s}, {p}, {1}};
  }
};

// One layer's numbers, one entry per spatial dimension.
struct RfLayerInfo {
  std::vector<Index> rf, jump, start;
  std::vector<Index> outputSize; // filled when the input size is known (floor rule), else empty
};

struct ReceptiveFieldTable {
  int spatialRank = 0;
  std::vector<RfLayerInfo> layers; // layers[0] is the input (rf 1, jump 1, start 0)
};

// `inputSize` is optional (empty); when given, every layer's output size is computed and checked.
Result<ReceptiveFieldTable> receptiveFields(const std::vector<RfLayer>& layers, int spatialRank,
                                            const std::vector<Index>& inputSize = {});

// What one unit depends on: for every layer 0..L (0 = input) and every spatial dimension, the
// sorted indices of the units it reads, directly or through the layers between. With dilation the
// set has holes. Positions in padding are dropped when the input size is known (padding depends
// on nothing); without it they are kept (negative or past the end).
struct UnitDependencies {
  std::vector<std::vector<std::vector<Index>>> units; // [layer][dim] -> indices
  std::vector<Index> inputBoxFirst, inputBoxLast;     // the rf box in the input, per dimension
};

// `layer` counts from 1 (the first layer's output); `unit` has one index per spatial dimension.
Result<UnitDependencies> unitDependencies(const std::vector<RfLayer>& layers, int spatialRank,
                                          int layer, const std::vector<Index>& unit,
                                          const std::vector<Index>& inputSize = {});

} // namespace nnlab
