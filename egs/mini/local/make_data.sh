#!/usr/bin/env bash
# make_data.sh: stage 0 of egs/mini: a speaker set with disjoint train and test speakers and a trial list.
# Real speech from Debian packages (apt-get download, cached in --download-dir), or synthetic espeak-ng
# speakers when the packages cannot be fetched (or with --source espeak). See local/make_data.py.
# Writes <out>/train and <out>/test (wav.scp utt2spk spk2utt utt2dur spk2group), <out>/test/trials
# (Kaldi) and <out>/test/veri_test.txt (VoxCeleb format); validates both data dirs.
set -euo pipefail
source=auto                  # auto: Debian packages, espeak-ng if they cannot be fetched; or debian, espeak
download_dir=data/download   # cache of .deb files, unpacked packages and converted audio
max_secs_per_spk=240         # caps each speaker's audio (the fillets and asterisk voices have far more)
max_secs_per_train_spk=240   # the cap of a training speaker (Debian source; test speakers keep the one above)
test_fraction=0.35           # share of speaker groups held out for test, per source but the train-only ones
extra_packages=true          # also tuxpaint-stamps-default, hedgewars-data, codec2-examples, pocketsphinx-testdata
                             # (data.md's optional ones, 319 MB)
train_only_sources=codec2,hedgewars,pocketsphinx,tuxpaint  # their own groups go to training (a tuxpaint language
                             # joins a held-out ktuberling/klettres group of its language): 60 train, 21 test speakers
voice_audit=true             # split a folder whose sub-folders hold two people by F0 (make_data.py, audit_voices;
                             # report in <out>/voice_audit.txt; needs numpy)
num_target=1500              # trials
num_nontarget=1500
espeak_speakers=40           # synthetic speakers (variant x pitch x speed) and utterances each
espeak_utts=20
nj=2
help_message="Usage: $0 [options] <out-dir>
 e.g.: $0 data            (writes data/train, data/test, data/test/trials)
       $0 --source espeak --espeak-speakers 8 --espeak-utts 5 /tmp/d
Options: --source (auto|debian|espeak), --download-dir, --max-secs-per-spk, --max-secs-per-train-spk, --test-fraction,
         --extra-packages (true|false), --train-only-sources, --voice-audit (true|false),
         --num-target, --num-nontarget, --espeak-speakers, --espeak-utts, --nj"
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../utils/parse_options.sh"
[ $# -eq 1 ] || { printf '%s\n' "$help_message" >&2; exit 1; }
out=$1
utils=$here/../../../utils
for t in sox python3; do command -v $t > /dev/null || { echo "$0: $t is not installed (see tools/install_prereqs.sh)" >&2; exit 1; }; done
# The voice audit needs numpy: use a python3 that has it (Debian's /usr/bin/python3 with python3-numpy when the
# first python3 on PATH lacks it); without one, make_data.py warns and takes every folder as one voice.
python=python3
if ! python3 -c 'import numpy' 2> /dev/null && [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import numpy' 2> /dev/null; then
  python=/usr/bin/python3
fi
start=$(date +%s)
rm -rf "$out/train" "$out/test"
$python "$here/make_data.py" --source "$source" --download-dir "$download_dir" --max-secs-per-spk "$max_secs_per_spk" \
  --max-secs-per-train-spk "$max_secs_per_train_spk" \
  --test-fraction "$test_fraction" --extra-packages "$extra_packages" --train-only-sources "$train_only_sources" \
  --voice-audit "$voice_audit" \
  --num-target "$num_target" --num-nontarget "$num_nontarget" \
  --espeak-speakers "$espeak_speakers" --espeak-utts "$espeak_utts" --nj "$nj" "$out"
for d in train test; do "$utils/validate_data_dir.sh" --no-feats "$out/$d"; done
echo "$0: done in $(( $(date +%s) - start )) s"
