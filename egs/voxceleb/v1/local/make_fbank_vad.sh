#!/usr/bin/env bash
# make_fbank_vad.sh: features of a data dir, as the training and scoring stages read them:
# 80-bin fbank + log energy -> energy VAD (conf/vad.conf) -> voiced frames only -> the 80 mel columns
# -> compressed archive. Writes <data>/{feats.scp,vad.scp,utt2num_frames} (utt2num_frames counts
# voiced frames) and the archives in <fbank-dir>. One pipe per job through $cmd JOB=1:$nj; a job
# keeps its part's uncompressed 81-column archive until it is reduced to voiced frames.
# Utterances that fail (unreadable audio, no voiced frame) are left out with a warning in the logs;
# the data dir is then fixed (utils/fix_data_dir.sh) so that its files agree.
set -euo pipefail
nj=4
cmd=run.pl
fbank_config=conf/fbank.conf
vad_config=conf/vad.conf
help_message="Usage: $0 [--nj N] [--cmd run.pl] [--fbank-config f] [--vad-config f] <data-dir> <fbank-dir>
 e.g.: $0 --nj 40 --cmd \"\$train_cmd\" data/voxceleb1 exp/fbank/voxceleb1"
. utils/parse_options.sh
[ $# -eq 2 ] || { printf '%s\n' "$help_message" >&2; exit 1; }
data=$1; dir=$2
export LC_ALL=C
utils/validate_data_dir.sh --no-feats "$data" > /dev/null
n_utts=$(wc -l < "$data/utt2spk")
n_spk=$(wc -l < "$data/spk2utt")
[ $nj -le $n_spk ] || nj=$n_spk    # split by speaker
mkdir -p "$dir/log"
dir_abs=$(cd "$dir" && pwd)
utils/split_data.sh "$data" $nj
sdata=$data/split$nj
$cmd JOB=1:$nj $dir/log/fbank.JOB.log \
  compute-fbank --config=$fbank_config --use-energy=true \
    scp,p:$sdata/JOB/wav.scp ark:$dir/raw.JOB.ark \&\& \
  compute-vad --config=$vad_config ark:$dir/raw.JOB.ark ark,scp:$dir_abs/vad.JOB.ark,$dir/vad.JOB.scp \&\& \
  select-voiced-frames ark:$dir/raw.JOB.ark scp:$dir/vad.JOB.scp ark:- \| \
  select-feats 1-80 ark:- ark:- \| \
  copy-feats --compress=true --write-num-frames=ark,t:$dir/utt2num_frames.JOB \
    ark:- ark,scp:$dir_abs/feats.JOB.ark,$dir/feats.JOB.scp \&\& \
  rm $dir/raw.JOB.ark
for n in $(seq $nj); do cat $dir/feats.$n.scp; done | sort -k1,1 > "$data/feats.scp"
for n in $(seq $nj); do cat $dir/vad.$n.scp; done | sort -k1,1 > "$data/vad.scp"
for n in $(seq $nj); do cat $dir/utt2num_frames.$n; done | sort -k1,1 > "$data/utt2num_frames"
# An utterance with no voiced frame has no features: leave it out everywhere.
awk '$2 > 0' "$data/utt2num_frames" > "$data/utt2num_frames.tmp" && mv "$data/utt2num_frames.tmp" "$data/utt2num_frames"
utils/filter_scp.pl "$data/utt2num_frames" "$data/feats.scp" > "$data/feats.scp.tmp" && mv "$data/feats.scp.tmp" "$data/feats.scp"
n_feats=$(wc -l < "$data/feats.scp")
[ $n_feats -gt 0 ] || { echo "$0: no features for $data (see $dir/log/fbank.*.log)" >&2; exit 1; }
[ $n_feats -eq $n_utts ] || echo "$0: WARNING: features for $n_feats of $n_utts utterances of $data (see $dir/log)" >&2
utils/fix_data_dir.sh "$data" > /dev/null
echo "$0: $n_feats utterances of $data, $(awk '{s += $2} END {printf "%.1f", s / 360000}' "$data/utt2num_frames") hours of voiced speech"
