// calc_conv.h: the logic of `nnlab calc conv|linear|pool|rf`, apart from CLI11 so tests can call
// it directly.
//
//   nnlab calc conv --input 3x64x64 --filters 16 --kernel 5 --stride 2 --padding 1
//                   [--dilation 1] [--groups 1] [--no-bias] [--padding same]
//                   [--depthwise-separable] [--x JSON --w JSON [--b JSON]] [--json]
//   nnlab calc linear --in 3x32x32 --out 10 [--no-bias] [--json]
//   nnlab calc pool --input 16x31x31 --kernel 3 [--stride 2] [--padding 0] [--ceil] [--json]
//   nnlab calc rf --layer conv:k=3,s=1,p=1 --layer pool:k=2,s=2 --layer conv:k=3,d=2
//                 [--input HxW] [--json]
//
// Text mode prints the worked steps then the results; --json prints
//   conv/linear/pool: { output_shape, params {weights, bias, total}, macs, flops, output_bytes,
//                       steps [{quantity, formula, substituted, result}] }
//                     (+ depthwise, pointwise, separable_total with the same keys; + output)
//   rf: { layers [{layer, kind, kernel, stride, padding, dilation, rf, jump, start}],
//         receptive_field }   (numbers for a 1-D stack, one value per dimension otherwise)
// Bad input: one line "nnlab: error: <flag>: <what>" on `err`, return kUsageError.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace nnlab::app {

struct CalcConvArgs {
  std::string input; // "3x64x64", channels first
  long long filters = 0;
  std::string kernel; // "5" or "4x5"
  std::string stride = "1";
  std::string padding = "0"; // sizes, "same" (TensorFlow) or "causal" (1-D)
  std::string dilation = "1";
  long long groups = 1;
  bool noBias = false;
  bool depthwiseSeparable = false;
  std::string x, w, b; // optional nested JSON lists: C×spatial, F×C/g×kernel, F
  bool json = false;
};
int runCalcConv(const CalcConvArgs& args, std::ostream& out, std::ostream& err);

struct CalcLinearArgs {
  std::string in; // "3x32x32", flattened
  long long out = 0;
  bool noBias = false;
  bool json = false;
};
int runCalcLinear(const CalcLinearArgs& args, std::ostream& out, std::ostream& err);

struct CalcPoolArgs {
  std::string input;
  std::string kernel;
  std::string stride; // empty: the kernel
  std::string padding = "0";
  bool ceil = false;
  bool json = false;
};
int runCalcPool(const CalcPoolArgs& args, std::ostream& out, std::ostream& err);

struct CalcRfArgs {
  std::vector<std::string> layers; // "conv:k=3,s=1,p=1", "pool:k=2,s=2", ...
  std::string input;               // optional spatial size "HxW": adds output sizes and checks
  bool json = false;
};
int runCalcRf(const CalcRfArgs& args, std::ostream& out, std::ostream& err);

} // namespace nnlab::app
