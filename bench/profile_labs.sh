#!/bin/sh
# Frame times of the GUI per lab, by stage (nnlab --profile-frames), headless (EGL, llvmpipe).
# Usage: bench/profile_labs.sh [path/to/nnlab] [frames]   (run it on a quiet machine: e.g. under
# `flock /tmp/nnlab-build.lock` so no build runs meanwhile). Prints the summary lines per case:
# "at rest" frames, "changed" frames (a scene field was just set to its next value, as a slider
# would), and "changed+1" (the frame after, where work finished in the background shows).
NNLAB=${1:-build/nnlab}
FRAMES=${2:-60}
DIR=$(dirname "$0")
ROOT=$DIR/..
run() {
  name=$1
  shift
  echo "== $name"
  "$NNLAB" --headless --size 1280x800 --profile-frames "$FRAMES" "$@" | grep -E "^(at rest|change)"
}
run activations --lab activations
run conv_arith --scene "$ROOT/assets/scenes/conv_arith_stride2_pad1.json"
run norm --scene "$ROOT/assets/scenes/norm_batch.json"
run "feature_maps gabor 256 (λ slider)" --scene "$ROOT/assets/scenes/feature_maps_gabor_camera.json" \
  --profile-perturb /gabor_wavelength=4,4.5 --profile-every 5
run "feature_maps edges brick relu pool (stride slider)" \
  --scene "$ROOT/assets/scenes/feature_maps_edges_brick_relu_pool.json" --profile-perturb /stride=1,2 --profile-every 5
run "feature_maps gabor 512x512 x8 (λ slider)" --scene "$DIR/scenes/feature_maps_gabor512.json" \
  --profile-perturb /gabor_wavelength=4,4.5 --profile-every 5
run "feature_maps one kernel 512 (padding slider)" --scene "$DIR/scenes/feature_maps_kernel512.json" \
  --profile-perturb /padding=1,2 --profile-every 5
run "optimizers adam vs adagrad (lr slider)" --scene "$ROOT/assets/scenes/optimizers_adam_vs_adagrad.json" \
  --profile-perturb /optimizers/0/lr=0.05,0.06 --profile-every 5
run "optimizers momentum rosenbrock" --scene "$ROOT/assets/scenes/optimizers_momentum_rosenbrock.json"
run "optimizers 6 x 10000 (lr slider)" --scene "$DIR/scenes/optimizers_six_10000.json" \
  --profile-perturb /optimizers/5/lr=0.01,0.012 --profile-every 5
