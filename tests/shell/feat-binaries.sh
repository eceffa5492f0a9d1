#!/usr/bin/env bash
# feat-binaries.sh: the feature binaries end to end against real Kaldi's golden outputs
# (testdata/golden): compute-fbank (3 settings, threads, error paths), apply-cmvn-sliding,
# compute-vad, select-voiced-frames, wav-to-duration, wav-copy, extract-segments.
# Numeric comparison: scripts in Python/numpy (/usr/bin/python3) via kaldi-format text.
set -u
G="$TDNAS_SHARED/testdata/golden"; A="$TDNAS_SHARED/testdata/audio"
[ -d "$G" ] || { echo "SKIP no golden data at $G"; exit 0; }
PY=/usr/bin/python3
$PY -c 'import numpy' 2>/dev/null || { echo "SKIP no numpy in $PY"; exit 0; }
T=$(mktemp -d /tmp/feat-bin.XXXXXX); trap 'rm -rf "$T"' EXIT
fail=0
check() { if ! "$@"; then echo "FAILED: $*"; fail=1; fi; }

# compare <ours-text-ark> <kaldi-ark-or-text> <max> <mean>: same keys, shapes; diff bounds.
cat > "$T/cmp.py" <<'PYEOF'
import sys, numpy as np
def read(path):
    out, key, rows = {}, None, []
    for line in open(path):
        t = line.split()
        if not t: continue
        if key is None:
            key = t[0]; rest = t[1:]
            assert rest[0] == '['
            rest = rest[1:]
            if rest == [']']: out[key] = np.zeros((0, 0)); key = None; continue
            if rest and rest[-1] == ']':  # vector on one line
                out[key] = np.array([float(x) for x in rest[:-1]]); key = None
            continue
        end = t[-1] == ']'
        rows.append([float(x) for x in (t[:-1] if end else t)])
        if end: out[key] = np.array(rows); key, rows = None, []
    return out
a, b = read(sys.argv[1]), read(sys.argv[2])
mx, mean_max = float(sys.argv[3]), float(sys.argv[4])
assert list(a) == list(b), ("keys differ", list(a), list(b))
tot, n, m = 0.0, 0, 0.0
for k in a:
    assert a[k].shape == b[k].shape, (k, a[k].shape, b[k].shape)
    if a[k].size:
        d = np.abs(a[k] - b[k]); tot += d.sum(); n += d.size; m = max(m, d.max())
mean = tot / max(n, 1)
print("%s: %d keys, max |diff| %.3g, mean %.3g" % (sys.argv[2].split('/')[-1], len(a), m, mean))
sys.exit(0 if m <= mx and mean <= mean_max else 1)
PYEOF
totext() { copy-feats "$1" "ark,t:$2" 2>/dev/null || copy-vector "$1" "ark,t:$2" 2>/dev/null; }
cmp_ark() { totext "ark:$2" "$T/ref.txt"; $PY "$T/cmp.py" "$1" "$T/ref.txt" "$3" "$4"; }

cd "$A"
# Default --fft=kaldi (Kaldi's float FFT rounding): max 1e-3 and mean 1e-5 on every value.
check compute-fbank --dither=0 scp:wav.scp "ark,t:$T/a.txt" 2>/dev/null
check cmp_ark "$T/a.txt" "$G/fbank_default.ark" 1e-3 1e-5
check compute-fbank --dither=0 --num-mel-bins=80 scp:wav.scp "ark:$T/b.ark" 2>/dev/null
totext "ark:$T/b.ark" "$T/b.txt"; check cmp_ark "$T/b.txt" "$G/fbank_80.ark" 1e-3 1e-5
check compute-fbank-feats --dither=0 --num-mel-bins=80 --snip-edges=false --window-type=hamming \
  --high-freq=7600 --use-energy=true --num-threads=2 scp:wav.scp "ark,t:$T/c.txt" 2>/dev/null
check cmp_ark "$T/c.txt" "$G/fbank_80_hamming_nosnip_energy.ark" 1e-3 1e-5
# --fft=fast: max bound 5e-2, values far below the frame's peak are float-FFT roundoff (see
# tests/feat/fbank-golden-test.cc, which checks 1e-3 on the well-conditioned ones).
check compute-fbank --fft=fast --dither=0 --num-mel-bins=80 scp:wav.scp "ark,t:$T/bf.txt" 2>/dev/null
check cmp_ark "$T/bf.txt" "$G/fbank_80.ark" 5e-2 1e-5
compute-fbank --fft=radix4 scp:wav.scp ark:/dev/null 2>"$T/fft.log"; check [ $? -eq 1 ]
check grep -q "fft must be kaldi or fast" "$T/fft.log"
# threads: identical bytes
compute-fbank --dither=0 --num-mel-bins=80 --num-threads=2 scp:wav.scp "ark:$T/b2.ark" 2>/dev/null
check cmp -s "$T/b.ark" "$T/b2.ark"

# error paths (golden logs): 8 kHz -> rc 1 with Kaldi's ERROR text; stereo -> warning, rc 0.
compute-fbank --dither=0 scp:<(echo 'eightk err_8k.wav') "ark:$T/e.ark" 2>"$T/e.log"; rc=$?
check [ $rc -eq 1 ]
check grep -q 'Waveform and config sample Frequency mismatch: 8000 .vs 16000' "$T/e.log"
check grep -q 'Failed to compute features for utterance eightk' "$T/e.log"
check grep -q ' Done 0 out of 1 utterances.' "$T/e.log"
compute-fbank --dither=0 --allow-downsample=true scp:<(echo 'eightk err_8k.wav') "ark:$T/e.ark" 2>/dev/null
check [ $? -eq 1 ]
check compute-fbank --dither=0 --sample-frequency=8000 scp:<(echo 'eightk err_8k.wav') "ark,t:$T/e8.txt" 2>/dev/null
check $PY "$T/cmp.py" "$T/e8.txt" "$G/errors/err_8k_sf8000.txt" 5e-2 1e-5
compute-fbank --dither=0 scp:<(echo 'stereo err_stereo_16k.wav') "ark,t:$T/s.txt" 2>"$T/s.log"
check [ $? -eq 0 ]
check grep -q 'Channel not specified but you have data with 2 channels; defaulting to zero' "$T/s.log"
check $PY "$T/cmp.py" "$T/s.txt" "$G/errors/err_stereo_channel0.txt" 5e-2 1e-5
check compute-fbank --dither=0 --channel=1 scp:<(echo 'stereo err_stereo_16k.wav') "ark,t:$T/s1.txt" 2>/dev/null
check $PY "$T/cmp.py" "$T/s1.txt" "$G/errors/err_stereo_channel1.txt" 5e-2 1e-5
check compute-fbank --dither=0 scp:<(echo 'bits24 err_24bit.wav') "ark:$T/b24.ark" 2>/dev/null
# upsampling works when allowed
check compute-fbank --dither=0 --allow-upsample=true scp:<(echo 'eightk err_8k.wav') "ark:$T/up.ark" 2>/dev/null
# FLAC of the same audio gives the same features as the WAV
sox utt03_us_1s.wav "$T/u3.flac" 2>/dev/null && {
  compute-fbank --dither=0 scp:<(echo "u $T/u3.flac") "ark:$T/fl.ark" 2>/dev/null
  compute-fbank --dither=0 scp:<(echo "u utt03_us_1s.wav") "ark:$T/wv.ark" 2>/dev/null
  check cmp -s "$T/fl.ark" "$T/wv.ark"
  # and through a pipe
  compute-fbank --dither=0 scp:<(echo "u sox utt03_us_1s.wav -t wav - |") "ark:$T/pp.ark" 2>/dev/null
  check cmp -s "$T/pp.ark" "$T/wv.ark"
}
# bad inputs: warnings naming the key, skipped; rc 1 only when nothing succeeded
: > "$T/empty.wav"; head -c 10000 utt03_us_1s.wav > "$T/trunc.wav"
printf 'a /nonexistent.wav\nb %s\nc false |\nd %s\ne utt01_m3_0p3s.wav\n' "$T/trunc.wav" "$T/empty.wav" > "$T/bad.scp"
compute-fbank --dither=0 scp:"$T/bad.scp" "ark:$T/bad.ark" 2>"$T/bad.log"; check [ $? -eq 0 ]
for k in a b c d; do check grep -q "WARNING.*key '$k'" "$T/bad.log"; done
head -n 4 "$T/bad.scp" > "$T/bad4.scp"
compute-fbank --dither=0 scp:"$T/bad4.scp" "ark:$T/bad.ark" 2>/dev/null; check [ $? -eq 1 ]

# cmvn / vad / voiced on Kaldi's own inputs
for spec in "cmvn_sliding_80_default.ark:" "cmvn_sliding_80_c300.ark:--center=true --cmn-window=300" \
            "cmvn_sliding_80_c300_normvars.ark:--center=true --cmn-window=300 --norm-vars=true"; do
  g=${spec%%:*}; o=${spec#*:}
  apply-cmvn-sliding $o "ark:$G/fbank_80.ark" "ark,t:$T/cm.txt" 2>"$T/cm.log"
  check cmp_ark "$T/cm.txt" "$G/$g" 1e-3 1e-5
done
check grep -q 'Empty feature matrix for utterance edge_399samp' "$T/cm.log"
compute-vad "ark:$G/mfcc_default.ark" "ark,t:$T/v.txt" 2>/dev/null
check cmp -s "$T/v.txt" "$G/vad_mfcc_default.txt"
VOX="--vad-energy-threshold=5.5 --vad-energy-mean-scale=0.5 --vad-proportion-threshold=0.12 --vad-frames-context=2"
compute-vad $VOX "ark:$G/mfcc_default.ark" "ark,t:$T/vv.txt" 2>/dev/null
check cmp -s "$T/vv.txt" "$G/vad_mfcc_voxceleb.txt"
compute-vad "ark:$G/fbank_80_hamming_nosnip_energy.ark" "ark,t:$T/vf.txt" 2>/dev/null
check cmp -s "$T/vf.txt" "$G/vad_fbank_energy.txt"
select-voiced-frames "ark:$G/mfcc_default.ark" "ark:$G/vad_mfcc_voxceleb.ark" "ark,t:$T/sv.txt" 2>/dev/null
check cmp -s "$T/sv.txt" "$G/voiced_mfcc_voxceleb.txt"

# wave tools
wav-to-duration scp:wav.scp "ark,t:$T/d.txt" 2>/dev/null; check cmp -s "$T/d.txt" "$G/wav_to_duration.out"
check wav-copy scp:wav.scp "ark:$T/w.ark" 2>/dev/null
compute-fbank --dither=0 --num-mel-bins=80 "ark:$T/w.ark" "ark:$T/bw.ark" 2>/dev/null
check cmp -s "$T/bw.ark" "$T/b.ark"
check wav-copy utt03_us_1s.wav "$T/c.wav"; check cmp -s utt03_us_1s.wav "$T/c.wav"
printf 'seg1 utt12_m5_20s 1.0 2.5\nseg2 utt12_m5_20s 19.5 -1\nseg3 nosuch 0 1\n' > "$T/segments"
extract-segments scp:wav.scp "$T/segments" "ark:$T/seg.ark" 2>"$T/seg.log"; check [ $? -eq 0 ]
check grep -q 'Could not find recording nosuch' "$T/seg.log"
wav-to-duration "ark:$T/seg.ark" "ark,t:$T/sd.txt" 2>/dev/null
check grep -q '^seg1 1.5 $' "$T/sd.txt"; check grep -q '^seg2 0.5 $' "$T/sd.txt"

[ $fail -eq 0 ] && echo "feat-binaries: all checks passed"
exit $fail
