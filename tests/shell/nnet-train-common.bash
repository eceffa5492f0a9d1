# nnet-train-common.bash: sourced by tests/shell/nnet-train-*.sh (not a test itself).
# make_espeak_data DIR NTRAIN NTEST UTTS: synthetic speakers with espeak-ng (spec data.md
# section 2): one speaker = an espeak-ng voice variant x pitch x speed; test speakers use
# variants no training speaker uses. Writes DIR/{train,test}/{wav.scp,utt2spk,feats.ark} with
# 80-dim Kaldi fbank (dither 0) and DIR/test/trials (every test pair). Deterministic.
fail() { echo "FAIL: $*"; exit 1; }

need_tools() {
  command -v espeak-ng >/dev/null || { echo "SKIP espeak-ng not installed"; exit 0; }
  for b in compute-fbank nnet-init-supernet nnet-train-supernet nnet-extract-embeddings nnet-eval-eer; do
    command -v $b >/dev/null || fail "$b not on PATH (run make)"
  done
}

make_espeak_data() {
  local dir=$1 ntrain=$2 ntest=$3 nutt=$4
  local variants=(m1 m2 m3 m4 m5 m6 m7 f1 f2 f3 f4 f5 adam alex andy annie boris david edward
                  grandma grandpa linda max michel paul quincy rob robert steph travis victor john)
  local words=(river apple seven window garden yellow morning silver table music orange winter
               people number little mountain paper sister family doctor market evening forest
               summer coffee letter station golden purple island rocket bridge)
  mkdir -p "$dir/wav" "$dir/train" "$dir/test"
  local s u set spk v p sp text i w
  for ((s = 0; s < ntrain + ntest; s++)); do
    if ((s < ntrain)); then set=train; v=${variants[$((s % 20))]}; else set=test; v=${variants[$((20 + (s - ntrain) % 12))]}; fi
    p=$(( (s * 37) % 80 + 10 )); sp=$(( 130 + (s * 23) % 60 ))
    spk=$(printf 'spk%02d' $s)
    for ((u = 0; u < nutt; u++)); do
      text=""
      for ((i = 0; i < 9; i++)); do w=${words[$(( (s * 131 + u * 17 + i * 7 + i * i * u) % ${#words[@]} ))]}; text="$text $w"; done
      espeak-ng -v "en+$v" -p $p -s $sp -w "$dir/wav/$spk-u$u.wav" "$text" || fail "espeak-ng"
      echo "$spk-u$u $dir/wav/$spk-u$u.wav" >> "$dir/$set/wav.scp"
      echo "$spk-u$u $spk" >> "$dir/$set/utt2spk"
    done
  done
  for set in train test; do
    compute-fbank --num-mel-bins=80 --dither=0 --energy-floor=1 --allow-downsample=true \
      scp:"$dir/$set/wav.scp" ark:"$dir/$set/feats.ark" 2>"$dir/$set/fbank.log" || { cat "$dir/$set/fbank.log"; fail "compute-fbank"; }
  done
  # Trials: every unordered pair of test utterances.
  awk '{u[NR]=$1; s[NR]=$2} END {for (i=1;i<=NR;i++) for (j=i+1;j<=NR;j++)
       print u[i], u[j], (s[i]==s[j] ? "target" : "nontarget")}' "$dir/test/utt2spk" > "$dir/test/trials"
}

# eer_of LINE: the eer= field of an nnet-eval-eer line.
eer_of() { sed -n 's/.*eer=\([0-9.]*\).*/\1/p' <<<"$1"; }
