// shape_args.h: the size notations of `nnlab calc`, parsed with errors that name the flag.
//
//   "3x64x64"                    -> {3, 64, 64}            (parseSizes)
//   "conv:k=3,s=1,p=1"           -> RfLayer conv k3 s1 p1  (parseRfLayer; values may be "3x5")
#pragma once

#include <string>
#include <vector>

#include "nnlab/receptive_field.h"
#include "nnlab/status.h"

namespace nnlab::app {

// `x`-separated non-negative integers ("3x64x64", "5"); `minimum` rejects smaller values.
// Errors: {flag, "expected sizes separated by x, like 3x64x64 (got \"3x\")"}.
Result<std::vector<Index>> parseSizes(const std::string& text, const std::string& flag,
                                      Index minimum = 0);

// "conv:k=3,s=1,p=1,d=2" or "pool:k=2,s=2" (pool stride defaults to its kernel, conv to 1);
// keys k (required), s, p, d. Errors name `flag` and quote the layer.
Result<RfLayer> parseRfLayer(const std::string& text, const std::string& flag);

} // namespace nnlab::app
