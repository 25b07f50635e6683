// The lab registry: one row per lab, in sidebar order. Adding a lab is adding its file pair in
// labs/ and one row here; the sidebar, scene loading, `nnlab export`, the headless gallery and
// the parameterized tests all iterate this table.
#include "core/lab.h"
#include "labs/activations_lab.h"
#include "labs/norm_lab.h"
#include "labs/conv_arith_lab.h"
#include "labs/feature_map_lab.h"
#include "labs/receptive_field_lab.h"
#include "labs/optimizer_lab.h"
#include "labs/training_lab.h"

namespace nnlab::app {

const std::vector<LabInfo>& labRegistry() {
  static const std::vector<LabInfo> registry = {
      {"activations", "Activation functions",
       "ReLU, sigmoid, tanh, GELU and friends, with their derivatives", &createActivationsLab},
      {"conv_arith", "Convolution arithmetic",
       "The sliding window: stride, padding, dilation, transposed; shapes, params, MACs",
       &createConvArithLab},
      {"feature_maps", "Feature maps",
       "Edge, Gabor and custom filters on real images: maps, ReLU, pooling, the dot product",
       &createFeatureMapLab},
      {"receptive_field", "Receptive fields",
       "Stacks of conv, pool and dilated layers: what one unit sees, theoretical and effective",
       &createReceptiveFieldLab},
      {"norm", "Normalization",
       "Batch, layer, instance and group norm: which values share μ and σ²; backward; dropout",
       &createNormLab},
      {"optimizers", "Optimizers",
       "SGD, momentum, AdaGrad, RMSProp and Adam racing on loss surfaces; bias correction; rates",
       &createOptimizerLab},
      {"training", "Training",
       "Real networks trained live: loss from ln C, decay staircases, spikes and their fixes",
       &createTrainingLab},
  };
  return registry;
}

const LabInfo* findLab(const std::string& id) {
  for (const LabInfo& lab : labRegistry())
    if (id == lab.id) return &lab;
  return nullptr;
}

std::string knownLabIds() {
  std::string ids;
  for (const LabInfo& lab : labRegistry()) ids += (ids.empty() ? "" : ", ") + std::string(lab.id);
  return ids;
}

} // namespace nnlab::app
