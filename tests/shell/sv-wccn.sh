#!/usr/bin/env bash
# compute-wccn and nnet-eval-eer --transform end to end against a numpy reference: the WCCN
# matrix (Ledoit-Wolf shrinkage, Cholesky, inverse) to 1e-4, the EER of cosine / WCCN / WCCN +
# AS-Norm scoring within one trial of numpy's; WCCN must help on data whose within-speaker
# noise has loud directions; bad inputs give an ERROR naming the key or file and no output.
set -euo pipefail
fail() { echo "FAIL: $*"; exit 1; }
command -v compute-wccn >/dev/null || fail "compute-wccn not on PATH (run make)"
PY=/usr/bin/python3
[ -x $PY ] || PY=python3
$PY -c 'import numpy' 2> /dev/null || { echo "SKIP numpy not installed for $PY"; exit 0; }
tmp=$(mktemp -d /tmp/sv-wccn.XXXXXX); trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

# Embeddings (text archives): 40 training speakers x 6, 15 test speakers x 6, 24 dims, the
# first 4 carrying within-speaker noise 3x the speaker spread; trials: all test pairs.
$PY - <<'PY'
import numpy as np
rng = np.random.default_rng(11)
def make(prefix, n_spk, n_utt):
    out = {}
    for s in range(n_spk):
        mean = rng.normal(size=24)
        for u in range(n_utt):
            noise = rng.normal(size=24) * np.r_[np.full(4, 3.0), np.full(20, 0.4)]
            out['%s%02d-%d' % (prefix, s, u)] = mean + noise
    return out
def write(path, d):
    with open(path, 'w') as f:
        for k in sorted(d):
            f.write('%s  [ %s ]\n' % (k, ' '.join('%.6f' % x for x in d[k])))
train, test = make('tr', 40, 6), make('te', 15, 6)
write('train.ark', train); write('test.ark', test)
with open('utt2spk', 'w') as f:
    for k in sorted(train): f.write('%s %s\n' % (k, k.split('-')[0]))
keys = sorted(test)
with open('trials', 'w') as f:
    for i in range(len(keys)):
        for j in range(i + 1, len(keys)):
            same = keys[i].split('-')[0] == keys[j].split('-')[0]
            f.write('%s %s %s\n' % (keys[i], keys[j], 'target' if same else 'nontarget'))
PY

compute-wccn --binary=false ark:train.ark ark:utt2spk wccn.txt 2> log || fail "compute-wccn: $(cat log)"
compute-wccn ark:train.ark ark:utt2spk wccn.mat 2> /dev/null || fail "compute-wccn binary"
for mode in cos wccn wccn_as; do
  case $mode in
    cos) opts= ;;
    wccn) opts=--transform=wccn.mat ;;
    wccn_as) opts="--transform=wccn.mat --cohort-rspecifier=ark:train.ark --asnorm-top=50" ;;
  esac
  nnet-eval-eer $opts trials ark:test.ark 2> log > eer.$mode || fail "nnet-eval-eer $mode: $(cat log)"
done

$PY - <<'PY' || fail "numpy reference disagrees"
import numpy as np, re
def read_ark(path):
    d = {}
    for line in open(path):
        k, rest = line.split(None, 1)
        d[k] = np.array(rest.strip().strip('[]').split(), dtype=float)
    return d
ln = lambda x: x / np.linalg.norm(x, axis=-1, keepdims=True)
train, test = read_ark('train.ark'), read_ark('test.ark')
spk = {l.split()[0]: l.split()[1] for l in open('utt2spk')}
keys = sorted(train); X = ln(np.array([train[k] for k in keys])); y = np.array([spk[k] for k in keys])
Z = np.concatenate([X[y == s] - X[y == s].mean(0) for s in sorted(set(y))])
n, p = Z.shape; S = Z.T @ Z / n; mu = np.trace(S) / p
d2 = ((S - mu * np.eye(p)) ** 2).sum()
b2 = sum(((np.outer(z, z) - S) ** 2).sum() for z in Z) / n ** 2
s = min(b2, d2) / d2
T = np.linalg.inv(np.linalg.cholesky((1 - s) * S + s * mu * np.eye(p)))
# compute-wccn's text matrix: "[\n row\n row ]"
got = np.array(open('wccn.txt').read().replace('[', ' ').replace(']', ' ').split(), dtype=float).reshape(p, p)
err = np.abs(got - T).max() / np.abs(T).max()
assert err < 1e-4, 'WCCN matrix off by %g (relative)' % err
trials = [l.split() for l in open('trials')]
lab = np.array([t[2] == 'target' for t in trials])
def eer(sc):
    o = np.argsort(-sc); l = lab[o]; fa = np.cumsum(~l) / (~l).sum(); miss = 1 - np.cumsum(l) / l.sum()
    i = np.argmin(np.abs(fa - miss)); return 100 * (fa[i] + miss[i]) / 2
def scores(E, cohort=None, top=50):
    k = sorted(E); M = np.array([E[x] for x in k]); idx = {x: i for i, x in enumerate(k)}
    sc = np.array([M[idx[a]] @ M[idx[b]] for a, b, _ in trials])
    if cohort is None: return sc
    cs = -np.sort(-(M @ cohort.T), axis=1)[:, :top]; m = cs.mean(1); sd = cs.std(1, ddof=1)
    return np.array([0.5 * ((v - m[idx[a]]) / sd[idx[a]] + (v - m[idx[b]]) / sd[idx[b]])
                     for v, (a, b, _) in zip(sc, trials)])
raw = {k: ln(v) for k, v in test.items()}
wt = {k: ln(T @ v) for k, v in raw.items()}
ref = {'cos': eer(scores(raw)), 'wccn': eer(scores(wt)), 'wccn_as': eer(scores(wt, ln(X @ T.T)))}
tol = 100.0 / lab.sum() + 1e-3   # one target trial
for m, want in ref.items():
    got = float(re.search(r'eer=([0-9.]+)', open('eer.' + m).read()).group(1))
    assert abs(got - want) <= tol, '%s: EER %.4f, numpy %.4f' % (m, got, want)
assert ref['wccn'] < 0.7 * ref['cos'], 'WCCN did not help: %s' % ref
print('numpy agrees: shrinkage %.4f, EER cos %.2f wccn %.2f wccn+as %.2f' % (s, ref['cos'], ref['wccn'], ref['wccn_as']))
PY

# Errors: exit non-zero, an ERROR naming the key / file, no output file left behind.
expect_error() {
  [ -n "${SHOW_ERRORS:-}" ] && { "${@:3}" 2>&1 >/dev/null | grep ERROR || true; }
  local what=$1 pattern=$2; shift 2
  if "$@" > /dev/null 2> err; then fail "$what: exit 0"; fi
  grep -q "^ERROR.*$pattern" err || fail "$what: no ERROR naming '$pattern': $(cat err)"
}
grep -v '^tr07-3 ' utt2spk > utt2spk.missing
expect_error "missing speaker" "tr07-3" compute-wccn ark:train.ark ark:utt2spk.missing out.mat
[ ! -e out.mat ] || fail "partial output after an error"
sed 's/^\(tr03-1  \[\) [^ ]*/\1 nan/' train.ark > nan.ark
expect_error "NaN embedding" "tr03-1" compute-wccn ark:nan.ark ark:utt2spk out.mat
[ ! -e out.mat ] || fail "partial output after NaN"
head -c 100 wccn.mat > trunc.mat
expect_error "truncated transform" "trunc.mat" nnet-eval-eer --transform=trunc.mat trials ark:test.ark
sed 's/\]$/ 0.5 ]/' test.ark > wide.ark   # 25 dims
expect_error "dimension mismatch" "wccn.mat" nnet-eval-eer --transform=wccn.mat trials ark:wide.ark
expect_error "shrinkage > 1" "shrinkage" compute-wccn --shrinkage=2 ark:train.ark ark:utt2spk out.mat
expect_error "scores + transform" "transform" nnet-eval-eer --transform=wccn.mat trials /dev/null
echo "PASS sv-wccn"
