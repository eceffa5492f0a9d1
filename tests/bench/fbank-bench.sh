#!/usr/bin/env bash
# fbank-bench.sh: compute-fbank speed on 30 minutes of 16 kHz audio (30 utterances of 60 s,
# made once from the test audio under /tmp), 80 bins, dither 0; one thread, then 2 threads.
# Prints wall time and x real time (audio seconds / wall seconds). Target: >= 2,500x real
# time per core (Kaldi's compute-fbank-feats: ~1,100x on this class of machine).
set -u
A="${TDNAS_SHARED:-$(dirname "$0")/../../../shared}/testdata/audio"
W=/tmp/tdnas-fbank-bench; mkdir -p "$W"
if [ ! -s "$W/60s.wav" ]; then
  (cd "$A" && sox $(ls utt*.wav) $(ls utt*.wav) -t wav "$W/cat.wav" && sox "$W/cat.wav" "$W/60s.wav" trim 0 60) || exit 1
fi
for i in $(seq -w 1 30); do echo "utt$i $W/60s.wav"; done > "$W/wav.scp"
secs=1800
for threads in 1 2; do
  best=999; bestcpu=999
  for rep in 1 2 3; do
    # %e wall, %U+%S CPU seconds: on a shared, loaded machine the CPU time is the stable number.
    /usr/bin/time -o "$W/time" -f "%e %U %S" compute-fbank --dither=0 --num-mel-bins=80 \
      --num-threads=$threads scp:"$W/wav.scp" ark:/dev/null 2>/dev/null || exit 1
    set -- $(tail -1 "$W/time")
    best=$(awk -v a="$best" -v b="$1" 'BEGIN{print (b<a)?b:a}')
    bestcpu=$(awk -v a="$bestcpu" -v b="$2" -v c="$3" 'BEGIN{print (b+c<a)?b+c:a}')
  done
  awk -v t="$best" -v c="$bestcpu" -v n=$threads -v s=$secs 'BEGIN{printf "compute-fbank 80 bins, %d thread(s): %.3f s wall = %.0fx real time; %.3f CPU s = %.0fx real time per core (best of 3, %d s of audio)\n", n, t, s/t, c, s/c, s}'
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
