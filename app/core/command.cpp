#include "core/command.h"

namespace nnlab::app {

int usageError(std::ostream& err, const Error& error) {
  err << "nnlab: error: " << error.message() << "\n";
  return kUsageError;
}

int usageError(std::ostream& err, const std::string& flag, const std::string& what) {
  return usageError(err, Error{flag, what});
}

} // namespace nnlab::app
