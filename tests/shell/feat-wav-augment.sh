#!/usr/bin/env bash
# feat-wav-augment.sh: wav-augment end to end: table form piped into compute-fbank, the
# single-file form inside a wav.scp pipe (same features as the table form, since the draws
# depend only on seed and key), reproducibility, seed dependence, speed/tempo durations,
# SNR of the noise added (measured on the written WAV vs the clean input), error paths.
set -u
A="$TDNAS_SHARED/testdata/audio"
[ -f "$A/wav.scp" ] || { echo "SKIP no test audio at $A"; exit 0; }
PY=/usr/bin/python3
$PY -c 'import numpy' 2>/dev/null || { echo "SKIP no numpy in $PY"; exit 0; }
T=$(mktemp -d /tmp/feat-wav-augment.XXXXXX); trap 'rm -rf "$T"' EXIT
fail=0
check() { if ! "$@"; then echo "FAILED: $*"; fail=1; fi; }
cd "$A"

# Lists: MUSAN-like noise/music/speech from the test audio (absolute paths), a synthetic RIR.
awk -v d="$A" 'NR>=5 && NR<=9 {print "n"NR, d"/"$2}' wav.scp > "$T/noise.scp"
awk -v d="$A" 'NR>=3 && NR<=11 {print "s"NR, d"/"$2}' wav.scp > "$T/speech.scp"
$PY - "$T/rir.wav" <<'PYEOF'
import sys, wave, numpy as np
rng = np.random.default_rng(0)
t = np.arange(4000)
rir = rng.standard_normal(4000) * np.exp(-t / 800.0); rir[0] = 8.0
rir = (rir / np.abs(rir).max() * 30000).astype('<i2')
w = wave.open(sys.argv[1], 'wb'); w.setnchannels(1); w.setsampwidth(2); w.setframerate(16000)
w.writeframes(rir.tobytes()); w.close()
PYEOF
echo "rir1 $T/rir.wav" > "$T/rir.scp"
opts="--noise-list=$T/noise.scp --music-list=$T/noise.scp --babble-list=$T/speech.scp --rir-list=$T/rir.scp"
n=$(wc -l < wav.scp)

# Table form through a pipe into compute-fbank: every utterance long enough gets features.
check wav-augment $opts scp:wav.scp ark:- 2>"$T/log1" > "$T/aug1.ark"
check grep -q "Done $n out of $n" "$T/log1"
check compute-fbank --dither=0 --num-mel-bins=80 ark:"$T/aug1.ark" ark,t:"$T/a.txt" 2>/dev/null
wav-augment $opts scp:wav.scp ark:- 2>/dev/null | compute-fbank --dither=0 --num-mel-bins=80 \
  ark:- ark,t:"$T/a-pipe.txt" 2>/dev/null
check cmp -s "$T/a.txt" "$T/a-pipe.txt"
compute-fbank --dither=0 --num-mel-bins=80 scp:wav.scp ark,t:"$T/clean.txt" 2>/dev/null
nk() { grep -c '\[' "$1"; }
[ "$(nk "$T/a.txt")" -ge $((n - 2)) ] || { echo "FAILED: only $(nk "$T/a.txt") keys"; fail=1; }

# Reproducible; another seed differs; the choices were spread over the 8 augmentations.
wav-augment $opts scp:wav.scp ark:"$T/aug2.ark" 2>/dev/null
check cmp -s "$T/aug1.ark" "$T/aug2.ark"
wav-augment $opts --seed=3 scp:wav.scp ark:"$T/aug3.ark" 2>/dev/null
cmp -s "$T/aug1.ark" "$T/aug3.ark" && { echo "FAILED: --seed has no effect"; fail=1; }
used=$(wav-augment $opts --verbose=1 scp:wav.scp ark:/dev/null 2>&1 | grep -o ': [a-z-]* ' |
       sort -u | wc -l)
# (descriptions of "none"/"compand" have no trailing field; count the others)
[ "$used" -ge 3 ] || { echo "FAILED: only $used kinds of augmentation used"; fail=1; }

# The single-file form inside a wav.scp pipe gives the same audio, hence the same features.
awk -v o="$opts" '{print $1, "wav-augment --utt-id="$1, o, $2, "- |"}' wav.scp > "$T/wav-aug.scp"
check compute-fbank --dither=0 --num-mel-bins=80 scp:"$T/wav-aug.scp" ark,t:"$T/b.txt" 2>/dev/null
check cmp -s "$T/a.txt" "$T/b.txt"

# Speed 1.1 and tempo 0.8: durations n/1.1 and n/0.8.
wav-to-duration scp:wav.scp ark,t:"$T/dur0" 2>/dev/null
wav-augment --aug-choices=speed --speeds=1.1 scp:wav.scp ark:- 2>/dev/null |
  wav-to-duration ark:- ark,t:"$T/dur1" 2>/dev/null
wav-augment --aug-choices=tempo-down --tempo-down=0.8 scp:wav.scp ark:- 2>/dev/null |
  wav-to-duration ark:- ark,t:"$T/dur2" 2>/dev/null
check $PY - "$T/dur0" "$T/dur1" "$T/dur2" <<'PYEOF'
import sys
rd = lambda p: {l.split()[0]: float(l.split()[1]) for l in open(p)}
d0, d1, d2 = rd(sys.argv[1]), rd(sys.argv[2]), rd(sys.argv[3])
assert d0.keys() == d1.keys() == d2.keys()
for k in d0:
    assert abs(d1[k] - d0[k] / 1.1) < 2 / 16000, (k, d0[k], d1[k])
    assert abs(d2[k] - d0[k] / 0.8) < 2 / 16000, (k, d0[k], d2[k])
PYEOF

# Noise at 10 dB SNR, single file to a WAV file: measured on the int16 output vs the clean.
check wav-augment --aug-choices=noise --noise-list="$T/noise.scp" --snr-noise=10:10 \
  --utt-id=x utt07_nyc_4p7s.wav "$T/noisy.wav" 2>/dev/null
check $PY - utt07_nyc_4p7s.wav "$T/noisy.wav" <<'PYEOF'
import sys, wave, numpy as np
rd = lambda p: np.frombuffer(wave.open(p).readframes(10**9), '<i2').astype(float)
c, y = rd(sys.argv[1]), rd(sys.argv[2])
assert len(c) == len(y)
snr = 10 * np.log10(np.mean(c**2) / np.mean((y - c)**2))
print("measured SNR %.3f dB (requested 10)" % snr)
assert abs(snr - 10) < 0.3, snr   # the noise files are speech at speech level: 1e-4 floor bias
PYEOF

# Errors: a choice without its list; an unreadable entry is skipped with a warning.
wav-augment --aug-choices=reverb scp:wav.scp ark:/dev/null 2>"$T/err1" && { echo "FAILED: no error"; fail=1; }
check grep -q "reverb but no --rir-list" "$T/err1"
{ head -2 wav.scp; echo "bad /nonexistent.wav"; } > "$T/bad.scp"
check wav-augment scp:"$T/bad.scp" ark:/dev/null 2>"$T/err2"
check grep -q "WARNING.*bad" "$T/err2"
check grep -q "Done 2 out of" "$T/err2"

[ $fail -eq 0 ] && echo "feat-wav-augment: all checks passed"
exit $fail
