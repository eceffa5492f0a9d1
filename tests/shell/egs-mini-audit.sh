#!/usr/bin/env bash
# Tests the voice audit of egs/mini/local/make_data.py (file_f0, audit_voices) on synthetic voices,
# no network: the F0 estimator against band-limited sawtooths of known pitch (8 kHz band, as the
# recipe's conversion chain leaves them), silence gives no estimate, and the split rule: a voice
# whose two sub-folders sit an octave apart becomes two speakers of the same voice (same group),
# one whose sub-folders are 1.2x apart stays one, a sub-folder under 8 estimates does not vote.
set -eu
ROOT=${TDNAS_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
PY=/usr/bin/python3
[ -x $PY ] || PY=python3
$PY -c 'import numpy' 2> /dev/null || { echo "SKIP numpy not installed for $PY"; exit 0; }
tmp=$(mktemp -d /tmp/egs-mini-audit.XXXXXX); trap 'rm -rf "$tmp"' EXIT
PYTHONPATH=$ROOT/egs/mini/local $PY - "$tmp" <<'PY'
import os, struct, sys
import numpy as np
import make_data as md

tmp = sys.argv[1]
rng = np.random.default_rng(5)
made = 0

def wav(f0, secs=1.5, silent=False):
    """16 kHz 16-bit file holding a sawtooth at f0 with harmonics below 3.8 kHz (what the recipe's
    8 kHz round trip leaves), a slow vibrato and a little noise; returns its path."""
    global made
    sr, n = 16000, int(1.5 * 16000)
    t = np.arange(n) / sr
    phase = 2 * np.pi * np.cumsum(f0 * (1 + 0.01 * np.sin(2 * np.pi * 5 * t))) / sr
    x = sum(np.sin(k * phase) / k for k in range(1, int(3800 // f0) + 1))
    x = 0.0 if silent else x / np.abs(x).max() * 12000 + rng.normal(0, 30, n)
    pcm = (np.zeros(n) + x).astype('<i2').tobytes()
    path = os.path.join(tmp, f'{made}.wav')
    made += 1
    with open(path, 'wb') as f:
        f.write(b'RIFF' + struct.pack('<I', 36 + len(pcm)) + b'WAVEfmt ' +
                struct.pack('<IHHIIHH', 16, 1, 1, sr, 2 * sr, 2, 16) + b'data' + struct.pack('<I', len(pcm)))
        f.write(pcm)
    return path

fails = []
for f0 in (85.0, 120.0, 180.0, 250.0, 330.0):
    est = md.file_f0(wav(f0))
    err = abs(est / f0 - 1) if est else 1.0
    print(f'file_f0 {f0:.0f} Hz -> {est if est is None else round(est, 1)} ({100 * err:.2f}%)')
    if err > 0.02:
        fails.append(f'file_f0 {f0} Hz gave {est}')
if md.file_f0(wav(100.0, silent=True)) is not None:
    fails.append('silence gave an F0')

def pieces(spec):
    """{sub-folder: [f0 of each file]} -> [(tag, wav, secs, sub)]"""
    return [(f'{sub}{i}', wav(f), 1.5, sub) for sub, fs in spec.items() for i, f in enumerate(fs)]

two = pieces({'alpha': [220 + 4 * i for i in range(8)], 'syllab': [110 + 2 * i for i in range(8)]})
one = pieces({'a': [150 + i for i in range(8)], 'b': [180 + i for i in range(8)]})
small = pieces({'a': [150 + i for i in range(8)], 'b': [300.0] * 3})   # b: 3 files, no vote
voices = {s: {'source': 'synthetic', 'group': g} for s, g in (('two', 'g1'), ('one', 'g2'), ('small', 'g3'))}
report = os.path.join(tmp, 'voice_audit.txt')
out = md.audit_voices({'two': two, 'one': one, 'small': small}, voices, tmp, report)
print(open(report).read())
want = {'two_syllab': 'two', 'two_alpha': 'two', 'one': 'one', 'small': 'small'}
got = {k: v[0] for k, v in out.items()}
if got != want:
    fails.append(f'speakers {got}, want {want}')
else:
    sides = {k: sorted({p[3] for p in v[1]}) for k, v in out.items()}
    if sides['two_syllab'] != ['syllab'] or sides['two_alpha'] != ['alpha'] or len(out['one'][1]) != 16:
        fails.append(f'split sides wrong: {sides}')
# The cache: a second run reads every F0 from it and decides the same.
again = md.audit_voices({'two': two, 'one': one, 'small': small}, voices, tmp, report)
if {k: len(v[1]) for k, v in again.items()} != {k: len(v[1]) for k, v in out.items()}:
    fails.append('second run (cached F0s) decided differently')
if fails:
    print('FAIL: ' + '; '.join(fails))
    sys.exit(1)
print('egs-mini-audit: OK')
PY
