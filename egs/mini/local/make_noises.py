#!/usr/bin/env python3
"""make_noises.py: noise and room-impulse-response lists for wav-augment, made here (this
recipe has no MUSAN / RIRS_NOISES): coloured noises (white, pink, brown; 20 s each) and
synthetic RIRs (exponentially decaying Gaussian noise after a direct-path impulse, RT60
0.15-0.8 s). Deterministic (seeded). Writes <dir>/noise/*.wav, <dir>/rir/*.wav and the lists
<dir>/noise.scp, <dir>/rir.scp ("id path" lines).
Usage: make_noises.py <dir>"""
import math
import os
import random
import struct
import sys
import wave

RATE = 16000


def write_wav(path, samples):
    peak = max(1e-9, max(abs(x) for x in samples))
    scale = 0.5 * 32767 / peak
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"".join(struct.pack("<h", int(x * scale)) for x in samples))


def coloured_noise(rng, n, colour):
    out, b = [], [0.0] * 7
    brown = 0.0
    for _ in range(n):
        w = rng.gauss(0.0, 1.0)
        if colour == "white":
            out.append(w)
        elif colour == "pink":  # Paul Kellet's refined filter coefficients (a standard recipe)
            b[0] = 0.99886 * b[0] + w * 0.0555179
            b[1] = 0.99332 * b[1] + w * 0.0750759
            b[2] = 0.96900 * b[2] + w * 0.1538520
            b[3] = 0.86650 * b[3] + w * 0.3104856
            b[4] = 0.55000 * b[4] + w * 0.5329522
            b[5] = -0.7616 * b[5] - w * 0.0168980
            out.append(sum(b[:6]) + b[6] + w * 0.5362)
            b[6] = w * 0.115926
        else:  # brown: leaky integrated white noise
            brown = 0.995 * brown + 0.1 * w
            out.append(brown)
    return out


def rir(rng, rt60):
    n = int(RATE * min(1.0, rt60 * 1.2))
    decay = 6.9078 / (rt60 * RATE)  # amplitude e^-decay*t reaches -60 dB at rt60
    h = [0.0] * n
    h[0] = 1.0
    for t in range(int(0.002 * RATE), n):
        h[t] = rng.gauss(0.0, 1.0) * 0.3 * math.exp(-decay * t)
    return h


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    rng = random.Random(20261121)
    for sub in ("noise", "rir"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    with open(os.path.join(out, "noise.scp"), "w") as f:
        for colour in ("white", "pink", "brown"):
            for i in range(2):
                p = os.path.abspath(os.path.join(out, "noise", "%s%d.wav" % (colour, i)))
                write_wav(p, coloured_noise(rng, 20 * RATE, colour))
                f.write("%s%d %s\n" % (colour, i, p))
    with open(os.path.join(out, "rir.scp"), "w") as f:
        for i, rt60 in enumerate((0.15, 0.25, 0.35, 0.45, 0.6, 0.8)):
            p = os.path.abspath(os.path.join(out, "rir", "rir%d.wav" % i))
            write_wav(p, rir(rng, rt60))
            f.write("rir%d %s\n" % (i, p))


if __name__ == "__main__":
    main()
