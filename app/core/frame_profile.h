// frame_profile.h: where a frame's time goes, for `nnlab --profile-frames N` (app_runner.cpp).
//
// Labs wrap their expensive work in a ProfileScope so the runner can split a frame into what the
// lab computed (engine calls, figure data), what it colour-mapped and uploaded to the GPU, and the
// rest of the ImGui build. The totals are per thread of the UI and reset by the runner each frame;
// outside a profiling run nobody reads them and a scope costs two clock reads.
#pragma once

namespace nnlab::app {

enum class ProfileStage {
  Compute, // engine calls and figure data made when a lab's state changed
  Upload,  // colour mapping and texture uploads
  Count
};

// Adds the scope's wall time to its stage's total for this frame.
class ProfileScope {
public:
  explicit ProfileScope(ProfileStage stage);
  ~ProfileScope();
  ProfileScope(const ProfileScope&) = delete;
  ProfileScope& operator=(const ProfileScope&) = delete;

private:
  ProfileStage stage_;
  long long startNanoseconds_;
};

// The stage's total since the last call, in milliseconds, and resets it.
double takeProfileMilliseconds(ProfileStage stage);

} // namespace nnlab::app
