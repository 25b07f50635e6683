// nested_list.h: tensors to and from nested JSON lists, the notation of `nnlab calc norm --values`.
//
//   [[[[0, 2], [4, 6]], [[1, 1], [1, 1]]]]   ->  Tensor of shape 1x2x2x2, row-major
//
// The shape is read from the first element at each depth; every other list must match it. Errors
// name the flag and the position of the offending list, in the indexing the user typed:
//   "--values: ragged list at [0][1]: expected 2 values, got 3"
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "nnlab/status.h"
#include "nnlab/tensor.h"

namespace nnlab::app {

// Parses `text` as JSON, then as a nested list (below). Malformed JSON reports nlohmann's line
// and column. `where` prefixes every error ("--values").
Result<Tensor> parseNestedList(const std::string& text, const std::string& where);

// A rectangular nested list of numbers, rank 1 to Shape::kMaxRank, no empty lists.
Result<Tensor> tensorFromNestedList(const nlohmann::json& list, const std::string& where);

// The tensor as nested lists (a number for rank 0). Floats are written with their shortest
// round-trip decimal (0.1f -> 0.1, not 0.10000000149011612).
nlohmann::json nestedListFromTensor(const Tensor& tensor);

// The double whose shortest decimal is the float's shortest decimal (0.1f -> 0.1), so JSON
// written from floats reads as the user typed it.
double roundTripDouble(float value);

} // namespace nnlab::app
