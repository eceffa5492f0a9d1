#!/usr/bin/env bash
# Installs (as root) or checks the Debian/Ubuntu packages tdnas needs.
#   tools/install_prereqs.sh           install what is missing (needs root; uses apt-get)
#   tools/install_prereqs.sh --check   only report what is missing, with the command that installs it
# Build: g++ make, OpenBLAS, libsndfile, Boost.ProgramOptions, GoogleTest.
# Runtime tools used by recipes: sox, ffmpeg, espeak-ng, perl, python3 (+ matplotlib for plots).
# Test-only: clang (libFuzzer), python3-numpy, python3-torch (PyTorch reference), kaldiio (pip).
# CUDA is optional and never installed here: the build finds nvcc/cuBLAS when present.
set -u
check_only=false
[ "${1:-}" = "--check" ] && check_only=true

# package -> what needs it
declare -A need=(
  [build-essential]="compiler and make"
  [libopenblas-dev]="BLAS (matrix, nnet)"
  [libsndfile1-dev]="audio input (feat)"
  [libboost-program-options-dev]="option parsing (util)"
  [libgtest-dev]="unit tests"
  [sox]="audio conversion in recipes"
  [ffmpeg]="m4a/aac input in VoxCeleb2 wav.scp pipes"
  [espeak-ng]="synthetic test speakers"
  [perl]="utils scripts"
  [python3]="utils scripts"
  [python3-numpy]="reference tests"
  [python3-matplotlib]="EER-vs-MACs plots"
  [python3-pip]="kaldiio interoperability test"
  [clang]="fuzz target (libFuzzer)"
  [python3-torch]="PyTorch reference tests and benchmarks"
)
missing=()
for p in "${!need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "tools/install_prereqs.sh: all prerequisites are installed."
  exit 0
fi
IFS=$'\n' missing=($(sort <<<"${missing[*]}")); unset IFS
if $check_only || [ "$(id -u)" != 0 ]; then
  echo "tools/install_prereqs.sh: missing packages:"
  for p in "${missing[@]}"; do echo "  $p  (${need[$p]})"; done
  echo "Install them with:"
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
  exit 1
fi
echo "tools/install_prereqs.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || { echo "ERROR: apt-get update failed"; exit 1; }
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/tdnas-apt.log 2>&1 || {
  tail -20 /tmp/tdnas-apt.log; echo "ERROR: apt-get install failed (log: /tmp/tdnas-apt.log)"; exit 1; }
echo "tools/install_prereqs.sh: done."
