#!/usr/bin/env bash
# Archives written by tdnas read with Python's kaldiio (an independent reader) give the same
# numbers: float matrices (binary and text), compressed matrices, vectors, int vectors, scp.
# Prints SKIP when kaldiio cannot be installed (pip offline).
set -eu
ROOT=${TDNAS_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export PATH="$ROOT/bin:$PATH"
SHARED=${TDNAS_SHARED:-$ROOT/../shared}
K=$SHARED/testdata/kaldi-archives
tmp=$(mktemp -d /tmp/util-kaldiio.XXXXXX); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# A venv that sees the system numpy; kept between runs (per user) to avoid reinstalling.
VENV=${TDNAS_KALDIIO_VENV:-/tmp/tdnas-kaldiio-venv-$(id -u)}
PY=$VENV/bin/python
if ! "$PY" -c 'import kaldiio, numpy' 2>/dev/null; then
  rm -rf "$VENV"
  if ! { /usr/bin/python3 -m venv --system-site-packages "$VENV" >/dev/null 2>&1 &&
         timeout 120 "$VENV/bin/pip" install -q kaldiio >/dev/null 2>&1 &&
         "$PY" -c 'import kaldiio, numpy' 2>/dev/null; }; then
    echo "SKIP: could not install kaldiio with pip"
    exit 0
  fi
fi

cd "$tmp"
copy-feats ark:$K/feats.ark ark,scp:f.ark,f.scp 2>/dev/null
copy-feats ark:$K/feats.ark ark,t:f.txt 2>/dev/null
copy-feats --compress=true ark:$K/feats.ark ark:fc.ark 2>/dev/null
copy-vector ark:$K/conf_ascii.ark ark:v.ark 2>/dev/null
copy-int-vector ark:$K/ali.ark ark,t:ali.txt 2>/dev/null
copy-feats ark:$K/feats.ark ark,t:- 2>/dev/null | copy-feats ark:- ark:-  2>/dev/null | copy-feats ark:- ark,t:d.txt 2>/dev/null
feat-to-len ark:$K/feats.ark ark,t:len.txt 2>/dev/null
"$PY" - <<'PYEOF' || fail "kaldiio disagrees"
import kaldiio, numpy as np
ref = dict(kaldiio.load_ark("f.ark"))
assert len(ref) == 10, len(ref)
rows = [285, 199, 415, 105, 118, 255, 111, 418, 130, 359]
assert [m.shape for m in ref.values()] == [(r, 13) for r in rows]
scp = kaldiio.load_scp("f.scp")
for k, m in ref.items():
    assert np.array_equal(scp[k], m), k
txt = dict(kaldiio.load_ark("f.txt"))
for k, m in ref.items():
    assert np.allclose(txt[k], m, rtol=1e-6, atol=1e-5), k
cmp = dict(kaldiio.load_ark("fc.ark"))
err = max(np.abs(cmp[k] - ref[k]).max() for k in ref)
assert err < 0.05, err  # kaldiio's own CM decoder is independent of ours (differs by ~1e-5)
vec = dict(kaldiio.load_ark("v.ark"))
assert len(vec) == 10 and all(v.ndim == 1 for v in vec.values())
ali = dict(kaldiio.load_ark("ali.txt"))
assert [len(v) for v in ali.values()] == [449, 267, 246, 261, 396, 470, 242, 329, 239, 395]
lens = dict(l.split() for l in open("len.txt"))
assert [int(v) for v in lens.values()] == rows
print("kaldiio: matrices exact, text within 1e-5, compressed within %.2g, vectors, int vectors ok" % err)
PYEOF
# And the other way: kaldiio writes, we read.
"$PY" - <<'PYEOF'
import kaldiio, numpy as np
rng = np.random.RandomState(0)
kaldiio.save_ark("py.ark", {"a": rng.randn(7, 5).astype(np.float32), "b": np.zeros((0, 0), np.float32),
                            "c": rng.randn(3, 5).astype(np.float32)}, scp="py.scp")
PYEOF
[ "$(feat-to-len scp:py.scp ark,t:- 2>/dev/null | tr '\n' ,)" = "a 7 ,b 0 ,c 3 ," ] || fail "reading kaldiio's archive"
copy-feats ark:py.ark ark:py2.ark 2>/dev/null
cmp -s py.ark py2.ark || fail "kaldiio's archive not rewritten byte-identically"
echo "ok   kaldiio reads ours; we read (and rewrite byte-identically) kaldiio's"
