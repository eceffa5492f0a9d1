#!/usr/bin/env python3
"""Peer for fbank-bench.sh: kaldi-native-fbank (PyPI) on the same audio, same settings
(80 bins, dither 0, Kaldi defaults otherwise), one thread. Prints user CPU seconds for the
feature computation alone (audio decoding excluded) and x real time.
Usage: knf_fbank_bench.py <wav> <num-repeats>"""
import resource
import sys
import wave

import numpy as np

try:
    import kaldi_native_fbank as knf
except ImportError:
    print("SKIP peer: kaldi-native-fbank not installed (pip install kaldi-native-fbank)")
    sys.exit(0)

path, reps = sys.argv[1], int(sys.argv[2])
with wave.open(path) as w:
    rate = w.getframerate()
    x = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32)
opts = knf.FbankOptions()
opts.frame_opts.dither = 0
opts.frame_opts.samp_freq = rate
opts.mel_opts.num_bins = 80
best = 1e9
for trial in range(3):
    t0 = resource.getrusage(resource.RUSAGE_SELF).ru_utime
    for _ in range(reps):
        fb = knf.OnlineFbank(opts)
        # OnlineFbank computes every frame inside accept_waveform/input_finished; frames are
        # not fetched one by one, so no Python per-frame overhead is counted against it.
        fb.accept_waveform(rate, x)
        fb.input_finished()
        assert fb.num_frames_ready > 0
    best = min(best, resource.getrusage(resource.RUSAGE_SELF).ru_utime - t0)
secs = reps * len(x) / rate
print("kaldi-native-fbank %s 80 bins, 1 thread: %.3f s user CPU = %.0fx real time per core "
      "(best of 3, %d s of audio)" % (knf.__version__ if hasattr(knf, "__version__") else "",
                                       best, secs / best, secs))
