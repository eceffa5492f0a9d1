#!/usr/bin/env bash
# feat-reference-frontend.sh: compute-fbank with egs/voxceleb/v1/conf/fbank-reference.conf vs an
# independent float64 implementation of the EfficientTDNN reference front end (numpy/torch,
# written here from the spec: pre-emphasis, torch.stft center/reflect, periodic Hamming,
# torchaudio-style HTK mel in Hz, log(x + 1e-6), instance norm).
set -u
A="$TDNAS_SHARED/testdata/audio"; PY=/usr/bin/python3
[ -d "$A" ] || { echo "SKIP no audio at $A"; exit 0; }
$PY -c 'import numpy, torch' 2>/dev/null || { echo "SKIP numpy/torch missing in $PY"; exit 0; }
T=$(mktemp -d /tmp/feat-ref.XXXXXX); trap 'rm -rf "$T"' EXIT
conf="$TDNAS_ROOT/egs/voxceleb/v1/conf/fbank-reference.conf"
(cd "$A" && compute-fbank --config="$conf" scp:wav.scp "ark,t:$T/ours.txt") 2>/dev/null || exit 1
cat > "$T/ref.py" <<'PYEOF'
import sys, wave, numpy as np, torch
audio, ours_path = sys.argv[1], sys.argv[2]
def read_ark(path):
    out, key, rows = {}, None, []
    for line in open(path):
        t = line.split()
        if key is None:
            key = t[0]
            if t[1:] == ['[', ']']: out[key] = np.zeros((0, 0)); key = None
            continue
        end = t[-1] == ']'
        rows.append([float(x) for x in (t[:-1] if end else t)])
        if end: out[key] = np.array(rows); key, rows = None, []
    return out
def mel_fb(n_freqs=257, f_min=20.0, f_max=7600.0, n_mels=80, sr=16000):
    mel = lambda f: 2595.0 * np.log10(1.0 + f / 700.0)
    hz = lambda m: 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    freqs = np.linspace(0, sr / 2, n_freqs)
    f_pts = hz(np.linspace(mel(f_min), mel(f_max), n_mels + 2))
    fb = np.zeros((n_freqs, n_mels))
    for i in range(n_mels):
        down = (freqs - f_pts[i]) / (f_pts[i + 1] - f_pts[i])
        up = (f_pts[i + 2] - freqs) / (f_pts[i + 2] - f_pts[i + 1])
        fb[:, i] = np.maximum(0, np.minimum(down, up))
    return fb
fb = mel_fb()
ours = read_ark(ours_path)
worst, tot, n = 0.0, 0.0, 0
for line in open(audio + '/wav.scp'):
    key, path = line.split()
    w = wave.open(audio + '/' + path)
    x = np.frombuffer(w.readframes(w.getnframes()), dtype='<i2').astype(np.float64)
    y = np.concatenate([[x[0] - 0.97 * x[1]], x[1:] - 0.97 * x[:-1]])
    win = 0.54 - 0.46 * np.cos(2 * np.pi * np.arange(400) / 400)
    spec = torch.stft(torch.from_numpy(y), 512, hop_length=160, win_length=400,
                      window=torch.from_numpy(win), center=True, pad_mode='reflect',
                      return_complex=True).abs().numpy() ** 2       # (257, T)
    m = np.log(fb.T @ spec + 1e-6)                                  # (80, T)
    m = (m - m.mean(1, keepdims=True)) / np.sqrt(m.var(1, keepdims=True) + 1e-5)
    ref = m.T
    assert ours[key].shape == ref.shape, (key, ours[key].shape, ref.shape)
    d = np.abs(ours[key] - ref); worst = max(worst, d.max()); tot += d.sum(); n += d.size
print("reference front end: %d utterances, max |diff| %.3g, mean %.3g" % (len(ours), worst, tot / n))
sys.exit(0 if worst <= 1e-3 and tot / n <= 1e-5 else 1)
PYEOF
$PY "$T/ref.py" "$A" "$T/ours.txt"
