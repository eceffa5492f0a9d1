# path.sh: puts tdnas's binaries and utils on PATH for this recipe. TDNAS_ROOT may be set by the
# caller (a copy of the recipe elsewhere); otherwise it is the checkout holding this file.
TDNAS_ROOT=${TDNAS_ROOT:-$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../../.." && pwd)}
export PATH="$TDNAS_ROOT/bin:$TDNAS_ROOT/utils:$PATH"
export LC_ALL=C
# BLAS threads are set per binary with --num-threads; stop OpenBLAS from spinning extra ones.
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
