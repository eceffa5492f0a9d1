#!/usr/bin/env bash
# fbank-bench.sh: compute-fbank speed on 30 minutes of 16 kHz audio (30 utterances of 60 s,
# made once from the test audio under /tmp), 80 bins, dither 0; one thread, then 2 threads.
# Prints x real time (audio seconds / time) from wall time, from user CPU seconds and from
# user+system CPU seconds. Target: >= 2,500x real
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
  best=999; bestuser=999; bestcpu=999
  for rep in 1 2 3; do
    # %e wall, %U user, %S system CPU seconds: on a shared, loaded machine wall time is noisy
    # and user CPU time is the stable number (x real time per core).
    /usr/bin/time -o "$W/time" -f "%e %U %S" compute-fbank --dither=0 --num-mel-bins=80 \
      --num-threads=$threads scp:"$W/wav.scp" ark:/dev/null 2>/dev/null || exit 1
    set -- $(tail -1 "$W/time")
    best=$(awk -v a="$best" -v b="$1" 'BEGIN{print (b<a)?b:a}')
    bestuser=$(awk -v a="$bestuser" -v b="$2" 'BEGIN{print (b<a)?b:a}')
    bestcpu=$(awk -v a="$bestcpu" -v b="$2" -v c="$3" 'BEGIN{print (b+c<a)?b+c:a}')
  done
  awk -v t="$best" -v u="$bestuser" -v c="$bestcpu" -v n=$threads -v s=$secs 'BEGIN{printf "compute-fbank 80 bins, %d thread(s): %.3f s wall = %.0fx real time; %.3f s user CPU = %.0fx real time per core; %.3f s user+sys = %.0fx (best of 3, %d s of audio)\n", n, t, s/t, u, s/u, c, s/c, s}'
done
# The peer, measured in the same run on the same audio (Kaldi itself is not installed here).
/usr/bin/python3 "$(dirname "$0")/knf_fbank_bench.py" "$W/60s.wav" 30
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
