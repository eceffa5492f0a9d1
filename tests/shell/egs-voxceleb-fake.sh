#!/usr/bin/env bash
# egs/voxceleb/v1 end to end on a tiny fake corpus in the official layouts, made now from espeak-ng
# speech: VoxCeleb1 {dev,test}/wav/<spk>/<video>/<n>.wav (16 kHz) with veri_test2.txt,
# list_test_all2.txt, list_test_hard2.txt in the official format; VoxCeleb2 dev/aac/.../<n>.m4a (AAC
# through ffmpeg); a fake MUSAN (noise, music, speech) and RIRS_NOISES (simulated small/medium rooms).
# The recipe runs every stage at tiny scale (a 32/96-wide supernet, 1 epoch per training stage,
# small subnets given by option); the test checks each stage's outputs: data dirs and trials, ffmpeg
# pipes, augmented copies, features, the short-utterance and small-speaker filters, the cohort, the
# five stage models, subnets, embeddings, cosine and AS-Norm scores, the subnet search (8 subnets on a
# dev set of Vox1 dev speakers, predictor report vs MACs-only, evolution at 6M and 10M MACs, winners and
# 3 random subnets per budget on Vox1-O, winners scored with cosine and AS-Norm), and a results table
# with EER and minDCF for Vox1-O/E/H plus rows nas-6M, nas-10M (Vox1-O only). Then: a rerun of stages 1-3 skips the finished parts (and re-writes a lost
# stage model from its checkpoint, bit-identical), and --num-gpus 2 without --use-gpu yes (or a bad count) fails with a clear message.
set -euo pipefail
ROOT=${TDNAS_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export PATH="$ROOT/bin:$ROOT/utils:$PATH"
for t in espeak-ng ffmpeg; do command -v $t > /dev/null || { echo "SKIP $t not installed"; exit 0; }; done
fail() { echo "FAIL: $*" >&2; exit 1; }
for b in compute-fbank compute-vad wav-augment nnet-init-supernet nnet-train-supernet nnet-sample-subnet \
         nnet-extract-embeddings nnet-eval-eer nnet-count-macs nnet-eval-subnets nnet-train-predictor nnet-search-subnet; do
  [ -x "$ROOT/bin/$b" ] || fail "$ROOT/bin/$b missing (run make)"
done
tmp=$(mktemp -d /tmp/egs-voxceleb-fake.XXXXXX); trap 'rm -rf "$tmp"' EXIT
c=$tmp/corpora
t0=$(date +%s)

# ---- the fake corpus ----
words=(river apple seven window garden yellow morning silver table music orange winter people number
       little mountain paper sister family doctor market evening forest summer coffee letter station)
voices=(m1 m2 m3 m4 m5 m6 m7 f1 f2 f3 f4 f5 adam alex andy annie boris david edward linda max paul rob steph)
# say <voice-index> <seed> <nwords> <out>: espeak-ng speech (22.05 kHz wav in $tmp/raw), converted
# below to <out> at 16 kHz (wav, or AAC for .m4a) by ffmpeg calls of many files each.
say() {
  local v=${voices[$(( $1 % ${#voices[@]} ))]} text="" i
  for ((i = 0; i < $3; i++)); do text="$text ${words[$(( ($2 * 7 + i * 11 + i * i) % ${#words[@]} ))]}"; done
  espeak-ng -v "en+$v" -p $(( 20 + $1 * 7 % 60 )) -s $(( 140 + $1 * 13 % 50 )) -w $tmp/raw/$(( ++nsay )).wav "$text" \
    || fail "espeak-ng"
  mkdir -p "$(dirname "$4")"
  echo "$tmp/raw/$nsay.wav $4" >> $tmp/convert.list
}
nsay=0
mkdir -p $tmp/raw
# VoxCeleb1: 4 dev and 4 test speakers, 2 videos x 3 utterances each (video ids as YouTube's, one
# with '-' and '_').
vids1=(x6uYqmx31kE 8jEAjG6SegY a1-b2_C3d4E Zq9YwXv0Ut3)
for s in 0 1 2 3 4 5 6 7; do
  if [ $s -lt 4 ]; then set=dev; spk=id1000$((s + 1)); else set=test; spk=id1027$((s - 4)); fi
  for v in 0 1; do for u in 1 2 3; do
    say $((s + 8)) $((s * 10 + v * 3 + u)) 9 $c/VoxCeleb1/$set/wav/$spk/${vids1[$(( (s + v) % 4 ))]}/0000$((v * 3 + u)).wav
  done; done
done
# VoxCeleb2 dev: 8 speakers; id00010..id00016 with 2 videos x 4 utterances (one of id00010's is a
# single word: the short-utterance filter drops it), id00017 with 3 (the small-speaker filter drops it).
for s in 0 1 2 3 4 5 6 7; do
  for v in 0 1; do for u in 1 2 3 4; do
    [ $s -eq 7 ] && [ $((v * 4 + u)) -gt 3 ] && continue
    n=9; [ $s -eq 0 ] && [ $v -eq 1 ] && [ $u -eq 4 ] && n=1
    say $s $((s * 10 + v * 4 + u)) $n $c/VoxCeleb2/dev/aac/id0001$s/vid${s}x${v}_Ab-c/0000$((v * 4 + u)).m4a
  done; done
done
# MUSAN speech for babble.
for i in 0 1 2 3; do say $((16 + i)) $((50 + i)) 9 $c/musan/speech/librivox/speech-librivox-000$i.wav; done
# Two ffmpeg processes (one per core), each converting half of the files.
convert() {
  local args=() outs=() i=0 in out
  while read -r in out; do
    args+=(-i $in); case $out in *.m4a) codec=aac;; *) codec=pcm_s16le;; esac
    outs+=(-map $i -ar 16000 -ac 1 -c:a $codec $out); i=$((i + 1))
  done
  ffmpeg -nostdin -v 8 -y "${args[@]}" "${outs[@]}"
}
awk 'NR % 2' $tmp/convert.list | convert & p1=$!
awk '!(NR % 2)' $tmp/convert.list | convert || fail "ffmpeg"
wait $p1 || fail "ffmpeg"
# MUSAN noise and music; RIRs: exponentially decaying noise (small and medium room).
mkdir -p $c/musan/noise/free-sound $c/musan/music/fma
ffmpeg -nostdin -v 8 -y -f lavfi -i "anoisesrc=d=3:c=pink:r=16000:a=0.3" -ac 1 -c:a pcm_s16le $c/musan/noise/free-sound/noise-free-sound-0000.wav
ffmpeg -nostdin -v 8 -y -f lavfi -i "sine=f=440:d=4:r=16000" -ac 1 -c:a pcm_s16le $c/musan/music/fma/music-fma-0000.wav
/usr/bin/python3 - $c/RIRS_NOISES/simulated_rirs <<'PY'
import math, os, random, struct, sys, wave
random.seed(3)
for room, t60 in (('smallroom', 0.2), ('mediumroom', 0.5)):
    d = os.path.join(sys.argv[1], room, 'Room001'); os.makedirs(d, exist_ok=True)
    n = int(16000 * t60)
    x = [1.0] + [random.gauss(0, 0.3) * math.exp(-6.9 * i / n) for i in range(1, n)]
    with wave.open(os.path.join(d, 'Room001-00001.wav'), 'wb') as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(16000)
        w.writeframes(struct.pack('<%dh' % n, *[int(max(-1, min(1, v)) * 32000) for v in x]))
PY
# Trial lists in the official format: Vox1-O pairs of test utterances, E and H of all utterances.
( cd $c/VoxCeleb1 && find dev test -name '*.wav' | sed 's|^[a-z]*/wav/||' | sort ) > $tmp/vox1_utts
awk '{u[NR] = $1} END {for (i = 1; i <= NR; i++) for (j = i + 1; j <= NR; j++) {
       split(u[i], a, "/"); split(u[j], b, "/"); print (a[1] == b[1]) ? 1 : 0, u[i], u[j] }}' $tmp/vox1_utts > $tmp/pairs
awk '$2 ~ /^id1027/ && $3 ~ /^id1027/' $tmp/pairs > $c/VoxCeleb1/veri_test2.txt
awk 'NR % 3 == 0 || $1 == 1' $tmp/pairs > $c/VoxCeleb1/list_test_all2.txt
awk 'NR % 5 == 0 || ($1 == 1 && NR % 2 == 0)' $tmp/pairs > $c/VoxCeleb1/list_test_hard2.txt
t1=$(date +%s)
echo "fake corpus: $(find $c -name '*.wav' -o -name '*.m4a' | wc -l) audio files in $((t1 - t0)) s"

# ---- the recipe, in a scratch copy (data/ and exp/ land there) ----
r=$tmp/v1
mkdir -p $r
for f in run.sh cmd.sh path.sh conf local; do ln -s $ROOT/egs/voxceleb/v1/$f $r/$f; done
ln -s $ROOT/utils $r/utils
opts=(--nj 2 --voxceleb1-root $c/VoxCeleb1 --voxceleb2-root $c/VoxCeleb2
      --musan-root $c/musan --rirs-root $c/RIRS_NOISES
      --min-frames 100 --min-utts 4 --cohort-size 24
      --supernet-opts "--max-width=32 --max-cat-width=96"
      --batch-size 16 --crop-frames 100 --crop-frames-elastic 150 --epochs-largest 1 --epochs-elastic 1
      --num-threads 1 --num-data-threads 1 --recal-utts 40 --asnorm-top 10
      --subnets "largest:4-32-32-32-32-32-5-5-5-5-5-96 base:3-32-32-32-32-5-3-3-3-96 small:2-16-16-16-3-3-3-48"
      --num-sampled 8 --num-random 3 --budgets 6M,10M --search-dev-speakers 3 --search-dev-utts 6
      --search-opts "--dev-num-target 40 --dev-num-nontarget 100 --cv-repeats 1 --predictor-opts=--config=$tmp/predictor.conf")
# A small predictor (the search's smallest budget, 6M, is about the smallest random subnets' MACs).
printf -- '--epochs=50\n--ensemble=1\n' > $tmp/predictor.conf
$r/run.sh "${opts[@]}" > $tmp/run.log 2>&1 || { tail -n 40 $tmp/run.log; fail "run.sh"; }
t2=$(date +%s)
cd $r
grep "^===" $tmp/run.log

# Stage 0: data dirs, ffmpeg pipes, trials.
for d in voxceleb2_train voxceleb1 voxceleb2_train_aug1; do
  utils/validate_data_dir.sh --no-feats data/$d > /dev/null || fail "data/$d does not validate"
done
[ $(wc -l < data/voxceleb1/utt2spk) = 48 ] && [ $(wc -l < data/voxceleb1/spk2utt) = 8 ] || fail "voxceleb1 counts"
[ $(wc -l < data/voxceleb2_train/utt2spk) = 59 ] || fail "voxceleb2 utterances: $(wc -l < data/voxceleb2_train/utt2spk)"
grep -q '^id10271-a1-b2_C3d4E-00004 ' data/voxceleb1/wav.scp || fail "utterance id spk-video-n"
grep -q "^id00010-vid0x0_Ab-c-00001 ffmpeg -v 8 -i $c/VoxCeleb2/dev/aac/id00010/vid0x0_Ab-c/00001.m4a -f wav -acodec pcm_s16le -|\$" \
  data/voxceleb2_train/wav.scp || fail "VoxCeleb2 wav.scp entry: $(head -n 1 data/voxceleb2_train/wav.scp)"
for p in O:veri_test2 E:list_test_all2 H:list_test_hard2; do
  x=${p%%:*}; l=${p#*:}
  $ROOT/utils/make_trials.py kaldi2vox data/voxceleb1/trials_$x - | cmp -s - $c/VoxCeleb1/$l.txt || fail "trials_$x != $l.txt"
done
grep -q 'wav-augment .*--utt-id=id00010-vid0x0_Ab-c-00001-aug1 - - |$' data/voxceleb2_train_aug1/wav.scp || fail "augmented wav.scp"
grep -q -- '--aug-choices=noise,music,babble,reverb,tempo-up,tempo-down,compand' data/aug/wav-augment.conf || fail "augmentations"
# Stage 1: features for clean, augmented and test data.
for d in voxceleb2_train voxceleb2_train_aug1 voxceleb1; do
  utils/validate_data_dir.sh data/$d > /dev/null || fail "data/$d with features does not validate"
  [ $(wc -l < data/$d/feats.scp) -ge $(( $(wc -l < data/$d/wav.scp) - 1 )) ] || fail "data/$d lacks features"
done
dim=$(feat-to-dim scp:data/voxceleb1/feats.scp - 2>/dev/null)
[ "$dim" = 80 ] || fail "feature dim $dim"
# Stage 2: filters and cohort.
! grep -q '^id00017-' data/train/utt2spk || fail "speaker with 3 utterances kept"
! grep -q '^id00010-vid0x1_Ab-c-00008 ' data/train/utt2spk || fail "one-word utterance kept"
grep -q -- '-aug1 ' data/train/utt2spk || fail "no augmented utterance in training"
[ $(wc -l < data/train/spk2utt) = 7 ] || fail "training speakers: $(wc -l < data/train/spk2utt)"
[ $(wc -l < data/cohort/utt2spk) = 24 ] && ! grep -q -- -aug data/cohort/utt2spk || fail "cohort"
# Stage 3: five stage models.
for m in 0 1.largest 2.kernel 3.depth 4.width1 5.width2; do [ -s exp/supernet/$m.mdl ] || fail "no $m.mdl"; done
nnet-info exp/supernet/final.mdl 2>/dev/null | grep "num-speakers 7" > /dev/null || fail "speakers in the model"
# Stages 4-6: subnets, embeddings, scores.
for n in largest base small; do
  [ -s exp/subnets/$n.mdl ] || fail "no subnet $n"
  [ $(wc -l < exp/embeddings/$n/voxceleb1_trials/emb.scp) -ge 47 ] || fail "embeddings of $n"
  [ $(wc -l < exp/embeddings/$n/cohort/emb.scp) = 24 ] || fail "cohort embeddings of $n"
  for x in O E H; do for s in cosine asnorm; do
    grep -Eq '^eer=[0-9.]+ mindcf@0.01=[0-9.]+ ' exp/scores/$n/$x.$s || fail "scores $n $x $s"
  done; done
done
# Stage 7: the table: a row per subnet with EER and minDCF (cosine, AS-Norm) for O, E and H.
cat exp/results.txt
head -n 1 exp/results.txt | grep -q 'EER-O .*DCFas-O .*EER-E .*EER-H .*DCFas-H' || fail "table header"
for n in largest base small; do
  awk -v n=$n '$1 == n && NF == 16 { for (i = 5; i <= 16; i++) if ($i !~ /^[0-9.]+$/) exit 1; ok = 1 }
               END { exit !ok }' exp/results.txt || fail "table row of $n"
done
grep -q '^small  *2-16-16-16-3-3-3-48  *5.76M  *38.57K ' exp/results.txt || fail "MACs/params of small"
if /usr/bin/python3 -c 'import matplotlib' 2> /dev/null; then [ -s exp/eer_vs_macs.png ] || fail "no plot"; fi
# Stage 7: the search. Dev: 3 Vox1 dev speakers, none of Vox1-O's; 8 subnets measured on dev.
[ $(wc -l < exp/nas/dev.spk) = 3 ] && ! grep -q '^id1027' exp/nas/dev.spk || fail "dev speakers: $(cat exp/nas/dev.spk)"
[ $(wc -l < exp/nas/dev/utt2spk) = 18 ] && [ $(wc -l < exp/nas/dev/trials) = 140 ] || fail "dev data or trials"
cmp -s exp/nas/eval/trials data/voxceleb1/trials_O || fail "eval trials are not Vox1-O"
num='[0-9][0-9.e+-]*'
[ $(grep -Ec "^[0-9]-[-0-9]+ $num $num $num $num\$" exp/nas/dev_results.txt) = 8 ] || fail "dev results: $(cat exp/nas/dev_results.txt)"
# The predictor report: predictor and MACs-only rank correlations, held out, in CV and on Vox1-O.
cat exp/nas/predictor_report.txt
for w in held-out 'cv 4-fold x 1' test-results; do
  grep -Eq "^$w .*predictor kendall_tau -?[0-9.]+ .*macs-only kendall_tau -?[0-9.]+" exp/nas/predictor_report.txt \
    || fail "predictor report: no $w line"
done
# Winners within budget (exact MACs recounted), 3 random subnets per budget within it too, all measured.
[ "$(awk '{print $1}' exp/nas/searched.txt | tr '\n' ' ')" = "6M 10M " ] || fail "searched: $(cat exp/nas/searched.txt)"
for b in 6M:6000000 10M:10000000; do
  cfg=$(awk -v b=${b%%:*} '$1 == b {print $2}' exp/nas/searched.txt)
  macs=$(nnet-count-macs --print-args=false $cfg 2>/dev/null | awk '{print $2}')
  [ "$macs" -le ${b#*:} ] || fail "searched $cfg: $macs MACs over ${b%%:*}"
  awk -v b=${b%%:*} -v m=${b#*:} -v c=$cfg '$1 == b && NF == 7 && $4 <= m && $6 ~ /^[0-9.]+$/ {n[$2]++; if ($2 == "searched" && $3 != c) bad = 1}
       END {exit !(n["searched"] == 1 && n["random"] == 3 && !bad)}' exp/nas/search_results.txt \
    || fail "search results of ${b%%:*}: $(cat exp/nas/search_results.txt)"
done
cat exp/nas/search_summary.txt
[ $(grep -Ec '^budget (6M|10M) +searched EER +[0-9.]+%  random: median +[0-9.]+% \(n=3, ' exp/nas/search_summary.txt) = 2 ] \
  || fail "search summary"
# The winners' rows: Vox1-O cosine and AS-Norm numbers, '-' for E and H; the MACs column within budget.
for b in 6M 10M; do
  cfg=$(awk -v b=$b '$1 == b {print $2}' exp/nas/searched.txt)
  awk -v n=nas-$b -v c=$cfg '$1 == n && $2 == c && NF == 16 { for (i = 5; i <= 8; i++) if ($i !~ /^[0-9.]+$/) exit 1;
                                  for (i = 9; i <= 16; i++) if ($i != "-") exit 1; ok = 1 } END { exit !ok }' exp/results.txt \
    || fail "table row nas-$b"
  grep -Eq '^eer=[0-9.]+ mindcf@0.01=[0-9.]+ trials=276 ' exp/scores/nas-$b/O.asnorm || fail "AS-Norm of nas-$b"
done
grep -q 'Vox1-O cosine EER of the searched and random subnets' $tmp/run.log || fail "search summary not in the log"
if /usr/bin/python3 -c 'import matplotlib' 2> /dev/null; then [ -s exp/nas/search.png ] || fail "no search plot"; fi
# --search false: stage 8 without the searched rows.
./run.sh "${opts[@]}" --search false --stage 8 > $tmp/nosearch.log 2>&1 || { cat $tmp/nosearch.log; fail "--search false"; }
! grep -q '^nas-' exp/results.txt && [ $(grep -c '^[a-z]' exp/results.txt) = 4 ] || fail "--search false table: $(cat exp/results.txt)"

# Resuming: the features and training stages again skip every finished part; a stage model lost
# after its checkpoint was written is re-written from the checkpoint, to the same bytes.
cp exp/supernet/5.width2.mdl $tmp/width2.mdl && rm exp/supernet/5.width2.mdl
./run.sh "${opts[@]}" --stage 1 --stop-stage 3 > $tmp/rerun.log 2>&1 || { cat $tmp/rerun.log; fail "rerun of stages 1-3"; }
[ $(grep -c 'features done .*skipped' $tmp/rerun.log) = 3 ] || { cat $tmp/rerun.log; fail "stage 1 rerun did not skip"; }
[ $(grep -c 'exists, skipped' $tmp/rerun.log) = 4 ] || { cat $tmp/rerun.log; fail "stage 3 rerun did not skip"; }
grep -q 'stage width2: resuming from exp/supernet/5.width2.mdl.ckpt' $tmp/rerun.log || fail "no resume"
cmp -s exp/supernet/5.width2.mdl $tmp/width2.mdl || fail "resumed width2 model differs"
# --use-gpu optional reaches every network binary (jobs through $cuda_cmd, one embedding job per
# GPU); without a GPU they fall back to the CPU and give the same scores as before.
cp exp/scores/small/O.asnorm $tmp/small.O.asnorm
./run.sh "${opts[@]}" --use-gpu optional --subnets small:2-16-16-16-3-3-3-48 --stage 4 --stop-stage 6 \
  > $tmp/gpu.log 2>&1 || { tail $tmp/gpu.log; fail "--use-gpu optional"; }
for f in exp/subnets/log/small.log exp/embeddings/small/cohort/log/extract.1.log exp/scores/small/log/O.asnorm.log; do
  grep -q -- '--use-gpu=optional' $f || fail "--use-gpu not passed ($f)"; done
if ! command -v nvidia-smi > /dev/null; then
  cmp -s exp/scores/small/O.asnorm $tmp/small.O.asnorm || fail "CPU fallback of --use-gpu optional changed the scores"
fi
# Several GPUs: a clear error.
if ./run.sh --num-gpus 2 --stage 8 > $tmp/gpus.log 2>&1; then fail "--num-gpus 2 without --use-gpu accepted"; fi
grep -q 'num-gpus 2 needs --use-gpu yes' $tmp/gpus.log || fail "--num-gpus 2 message: $(cat $tmp/gpus.log)"
if ./run.sh --num-gpus two --stage 8 > $tmp/gpus.log 2>&1; then fail "--num-gpus two accepted"; fi
grep -q 'num-gpus must be a positive integer' $tmp/gpus.log || fail "--num-gpus two message: $(cat $tmp/gpus.log)"
echo "egs-voxceleb-fake ok: corpus $((t1 - t0)) s, recipe $((t2 - t1)) s"
