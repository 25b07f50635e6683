#include "core/frame_profile.h"

#include <chrono>

namespace nnlab::app {
namespace {

// Frame totals of the UI thread (labs' worker threads do not report here).
thread_local long long totals[static_cast<int>(ProfileStage::Count)] = {};

long long nowNanoseconds() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

} // namespace

ProfileScope::ProfileScope(ProfileStage stage)
    : stage_(stage), startNanoseconds_(nowNanoseconds()) {}

ProfileScope::~ProfileScope() {
  totals[static_cast<int>(stage_)] += nowNanoseconds() - startNanoseconds_;
}

double takeProfileMilliseconds(ProfileStage stage) {
  long long& total = totals[static_cast<int>(stage)];
  const double milliseconds = static_cast<double>(total) * 1e-6;
  total = 0;
  return milliseconds;
}

} // namespace nnlab::app
