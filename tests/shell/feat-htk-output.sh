#!/usr/bin/env bash
# feat-htk-output.sh: compute-fbank --output-format=htk and copy-feats --htk-in.
# An independent Python parser (struct, no tdnas code) walks the HTK archive byte by byte
# (key, ' ', then the big-endian 12-byte header nSamples/sampPeriod/sampSize/parmKind and
# big-endian float32 data, nothing else) and checks it against the Kaldi-format archive of the
# same command (little-endian "\0BFM " matrices): same keys in order, header fields as Kaldi's
# compute-fbank-feats writes them (period 100000, size 4*dim, kind 020007 = FBANK_0, or
# 0107 = FBANK_E with --use-energy), every float bit-identical. Then copy-feats --htk-in
# (archive, scp and single file) must give back the Kaldi archive byte for byte.
set -u
A="$TDNAS_SHARED/testdata/audio"
[ -f "$A/wav.scp" ] || { echo "SKIP no test audio at $A"; exit 0; }
PY=/usr/bin/python3
T=$(mktemp -d /tmp/feat-htk.XXXXXX); trap 'rm -rf "$T"' EXIT
fail=0
check() { if ! "$@"; then echo "FAILED: $*"; fail=1; fi; }

cat > "$T/htk_check.py" <<'PYEOF'
import struct, sys

def read_key(buf, pos):
    end = buf.index(b' ', pos)
    return buf[pos:end].decode(), end + 1

def kaldi_ark(path):  # binary Kaldi archive of float matrices, little-endian
    buf, pos, out = open(path, 'rb').read(), 0, []
    while pos < len(buf):
        key, pos = read_key(buf, pos)
        assert buf[pos:pos + 6] == b'\0BFM \x04', (key, buf[pos:pos + 6])
        rows, = struct.unpack_from('<i', buf, pos + 6)
        assert buf[pos + 10:pos + 11] == b'\x04'
        cols, = struct.unpack_from('<i', buf, pos + 11)
        pos += 15
        n = rows * cols
        out.append((key, rows, cols, struct.unpack_from('<%df' % n, buf, pos)))
        pos += 4 * n
    return out

def htk_ark(path):  # "key " + HTK file image, big-endian, nothing in between
    buf, pos, out = open(path, 'rb').read(), 0, []
    while pos < len(buf):
        key, pos = read_key(buf, pos)
        nsamp, period, size, kind = struct.unpack_from('>iihH', buf, pos)
        pos += 12
        assert size % 4 == 0, (key, size)
        n = nsamp * (size // 4)
        out.append((key, nsamp, period, size, kind, struct.unpack_from('>%df' % n, buf, pos)))
        pos += 4 * n
    assert pos == len(buf)
    return out

kaldi, htk, want_kind = kaldi_ark(sys.argv[1]), htk_ark(sys.argv[2]), int(sys.argv[3], 8)
assert [k[0] for k in kaldi] == [h[0] for h in htk], 'keys differ'
assert len(kaldi) >= 10, len(kaldi)
for (key, rows, cols, kv), (_, nsamp, period, size, kind, hv) in zip(kaldi, htk):
    assert (nsamp, period, size, kind) == (rows, 100000, 4 * cols, want_kind), \
        (key, (nsamp, period, size, kind), (rows, cols))
    # bit-identical floats: compare the packed bytes, not values
    assert struct.pack('<%df' % len(kv), *kv) == struct.pack('<%df' % len(hv), *hv), key
print('ok: %d matrices, kind %s, %d frames' % (len(htk), oct(want_kind), sum(h[1] for h in htk)))
if len(sys.argv) > 4:  # write the first non-empty item as a single HTK file
    buf = open(sys.argv[2], 'rb').read()
    key, pos = read_key(buf, 0)
    nsamp, _, size, _ = struct.unpack_from('>iihH', buf, pos)
    open(sys.argv[4], 'wb').write(buf[pos:pos + 12 + nsamp * size])
PYEOF

cd "$A" || exit 1
run_pair() {  # run_pair <tag> <kind-octal> <compute-fbank options...>
  local tag=$1 kind=$2; shift 2
  compute-fbank "$@" scp:wav.scp ark:"$T/$tag-kaldi.ark" 2>"$T/$tag-kaldi.log" || return 1
  compute-fbank "$@" --output-format=htk scp:wav.scp ark,scp:"$T/$tag-htk.ark,$T/$tag-htk.scp" \
    2>"$T/$tag-htk.log" || return 1
  $PY "$T/htk_check.py" "$T/$tag-kaldi.ark" "$T/$tag-htk.ark" "$kind" "$T/$tag-one.htk" || return 1
  # back to Kaldi format, from the archive and through the scp offsets
  copy-feats --htk-in ark:"$T/$tag-htk.ark" ark:"$T/$tag-back.ark" 2>/dev/null || return 1
  cmp "$T/$tag-back.ark" "$T/$tag-kaldi.ark" || return 1
  copy-feats --htk-in scp:"$T/$tag-htk.scp" ark:"$T/$tag-back-scp.ark" 2>/dev/null || return 1
  cmp "$T/$tag-back-scp.ark" "$T/$tag-kaldi.ark" || return 1
}
check run_pair fb80 020007 --dither=0 --num-mel-bins=80
check run_pair energy 0107 --dither=0 --num-mel-bins=40 --use-energy=true --frame-shift=15

# Threads do not change the bytes.
check compute-fbank --dither=0 --num-mel-bins=80 --output-format=htk --num-threads=2 \
  scp:wav.scp ark:"$T/fb80-htk-t2.ark" 2>/dev/null
check cmp "$T/fb80-htk-t2.ark" "$T/fb80-htk.ark"

# Single file: the HTK image of the first utterance -> Kaldi matrix file; compare its rows
# with that utterance's Kaldi-format matrix (the archive item after "key ").
check copy-feats --htk-in "$T/fb80-one.htk" "$T/one.mat" 2>/dev/null
first_key=$(head -c 64 "$T/fb80-kaldi.ark" | tr ' ' '\n' | head -1)
check $PY - "$T/fb80-kaldi.ark" "$T/one.mat" "$first_key" <<'PYEOF'
import sys
ark, mat, key = open(sys.argv[1], 'rb').read(), open(sys.argv[2], 'rb').read(), sys.argv[3]
assert ark.startswith(key.encode() + b' ')
assert ark[len(key) + 1:len(key) + 1 + len(mat)] == mat and mat[:5] == b'\0BFM '
PYEOF

# HTK has no text form: a text table is an error (as in Kaldi), and so is a bad format name.
compute-fbank --dither=0 --output-format=htk scp:wav.scp ark,t:"$T/t.ark" 2>"$T/t.log"
check [ $? -ne 0 ]
check grep -q "Non-binary HTK-format write not supported" "$T/t.log"
compute-fbank --dither=0 --output-format=sphinx scp:wav.scp ark:"$T/s.ark" 2>"$T/s.log"
check [ $? -ne 0 ]
check grep -q "Invalid output_format string sphinx" "$T/s.log"
# copy-feats --htk-in on a Kaldi archive refuses it (its first bytes are no HTK header).
copy-feats --htk-in ark:"$T/fb80-kaldi.ark" ark:"$T/x.ark" 2>"$T/x.log"
check [ $? -ne 0 ]

[ $fail -eq 0 ] && echo "all htk output checks passed"
exit $fail
