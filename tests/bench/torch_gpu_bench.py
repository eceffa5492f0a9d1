#!/usr/bin/python3
"""torch_gpu_bench.py: the PyTorch side of tests/bench/gpu-bench.sh.

Times the reference network (tests/reference/tdnn_reference.py, the same architecture
StaticTdnn implements) on the GPU with the same settings as the tdnas side: one training
step = zero_grad + forward + AAM-softmax loss + backward + Adam(lr, weight_decay=2e-5), and
one inference forward (eval mode, no grad). Variants: eager fp32, eager TF32, eager BF16
autocast, torch.compile BF16 autocast (skipped with a note if compilation fails).
Times are medians of CUDA-event timings after warm-up. With --tdnas FILE (the lines
"tdnas <mode> train_ms X infer_ms Y" the tdnas side wrote), prints a ratio table last.
"""
import argparse
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'reference'))
from tdnn_reference import Tdnn  # noqa: E402


def median_ms(fn, iters, warmup=3):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    ts = []
    for _ in range(iters):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        fn()
        b.record()
        b.synchronize()
        ts.append(a.elapsed_time(b))
    ts.sort()
    return ts[len(ts) // 2]


def run_variant(name, a, compiled, tf32, bf16):
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32
    torch.backends.cudnn.benchmark = bool(a.cudnn_benchmark)  # autotuned convolution algorithms
    torch.manual_seed(0)
    dev = 'cuda'
    model = Tdnn(a.config, a.classes).to(dev)
    # fused=True: one kernel for the whole Adam step (PyTorch's fastest optimizer path).
    opt = torch.optim.Adam(model.parameters(), lr=1e-4, weight_decay=2e-5, fused=True)
    x = torch.randn(a.batch, 80, a.frames, device=dev)
    xi = torch.randn(a.infer_batch, 80, a.frames, device=dev)
    labels = torch.randint(0, a.classes, (a.batch,), device=dev)

    # torch.compile takes the network and the AAM loss together (one graph per step); the
    # head runs in float32 (autocast off: inside a compiled graph its matmul otherwise mixes
    # float32 and bf16 operands and fails).
    def forward_loss(inp, lab):
        with torch.autocast('cuda', dtype=torch.bfloat16, enabled=bf16):
            emb = model(inp)
        with torch.autocast('cuda', enabled=False):
            return model.head(emb.float(), lab)[0]
    fwd_loss = torch.compile(forward_loss) if compiled else forward_loss

    def train_step():
        opt.zero_grad(set_to_none=True)
        loss = fwd_loss(x, labels)
        loss.backward()
        opt.step()

    net = model   # compiled below, after the training timings, with a fresh dynamo cache

    def infer():
        with torch.no_grad(), torch.autocast('cuda', dtype=torch.bfloat16, enabled=bf16):
            net(xi)

    t0 = time.time()
    model.train()
    train_ms = median_ms(train_step, a.iters)
    model.eval()
    if compiled:   # its own graph for the eval-mode batch-256 forward (no dynamic shapes)
        torch._dynamo.reset()
        net = torch.compile(model, dynamic=False)
    infer_ms = median_ms(infer, a.iters)
    print('torch %-14s train_ms %.2f infer_ms %.2f  (%.0f s incl. warm-up/compile)' %
          (name, train_ms, infer_ms, time.time() - t0), flush=True)
    del model, opt
    torch.cuda.empty_cache()
    return train_ms, infer_ms


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--config', default='4-512-512-512-512-512-5-5-5-5-5-1536')
    p.add_argument('--batch', type=int, default=128)
    p.add_argument('--infer-batch', type=int, default=256)
    p.add_argument('--frames', type=int, default=200)
    p.add_argument('--classes', type=int, default=5994)
    p.add_argument('--iters', type=int, default=20)
    p.add_argument('--variants', default='eager-fp32,eager-tf32,eager-bf16,compile-bf16')
    p.add_argument('--tdnas', help='file with the tdnas side\'s result lines')
    p.add_argument('--cudnn-benchmark', type=int, default=0,
                   help='torch.backends.cudnn.benchmark (H200, torch 2.11: no gain here, so off)')
    a = p.parse_args()
    print('torch %s on %s' % (torch.__version__, torch.cuda.get_device_name()), flush=True)
    specs = {'eager-fp32': (False, False, False), 'eager-tf32': (False, True, False),
             'eager-bf16': (False, True, True), 'compile-bf16': (True, True, True)}
    res = {}
    for v in a.variants.split(','):
        try:
            res[v] = run_variant(v, a, *specs[v])
        except Exception as e:  # torch.compile can fail on a machine without a toolchain
            print('torch %-14s FAILED: %s' % (v, str(e).splitlines()[0] if str(e) else type(e)))
    if not a.tdnas:
        return
    ours, engine = {}, {}
    for line in open(a.tdnas):
        f = line.split()
        if len(f) >= 6 and f[0] == 'tdnas':
            ours[f[1]] = (float(f[3]), float(f[5]))
        elif len(f) >= 4 and f[0] == 'engine':
            engine[f[1]] = float(f[3])
    print('\n%s, config %s, batch %d x %d frames, %d classes, Adam; inference batch %d' %
          (torch.cuda.get_device_name(), a.config, a.batch, a.frames, a.classes, a.infer_batch))
    print('%-22s %10s %10s   %s' % ('', 'train ms', 'infer ms', 'ratio tdnas/torch (train, infer)'))
    for k, (tr, inf) in ours.items():
        print('%-22s %10.2f %10.2f' % ('tdnas ' + k, tr, inf))
    for k, inf in engine.items():
        print('%-22s %10s %10.2f' % ('tdnas engine ' + k, '-', inf))
    for k, (tr, inf) in res.items():
        print('%-22s %10.2f %10.2f' % ('torch ' + k, tr, inf))
    print()
    for k, inf in engine.items():
        for tk in ('eager-bf16', 'compile-bf16'):
            if tk in res:
                print('tdnas engine %-10s / torch %-13s infer %.2fx' % (k, tk, inf / res[tk][1]))
    pairs = [('fp32', 'eager-fp32'), ('tf32', 'eager-tf32'), ('bf16', 'eager-bf16'),
             ('bf16', 'compile-bf16'), ('tf32', 'compile-bf16'), ('tf32-graph', 'eager-tf32'),
             ('bf16-graph', 'compile-bf16')]
    # The trainer replays its step as a CUDA graph where shapes repeat: the faster form counts.
    for m in ('tf32', 'bf16'):
        if m + '-graph' in ours and m in ours:
            ours[m] = min(ours[m], ours[m + '-graph'], key=lambda v: v[0])
    for ok, tk in pairs:
        if ok in ours and tk in res:
            print('tdnas %-5s / torch %-13s train %.2fx  infer %.2fx' %
                  (ok, tk, ours[ok][0] / res[tk][0], ours[ok][1] / res[tk][1]))
    if 'bf16' in ours and 'compile-bf16' in res:
        print('target: train tdnas bf16 <= 0.67x compile-bf16: %s; infer < 1.0x compile: %s' %
              ('MET' if ours['bf16'][0] <= 0.67 * res['compile-bf16'][0] else 'NOT MET',
               'MET' if ours['bf16'][1] < res['compile-bf16'][1] else 'NOT MET'))
    if 'bf16-graph' in engine and 'compile-bf16' in res:
        print('target: infer tdnas engine < compile-bf16: %s' %
              ('MET' if engine['bf16-graph'] < res['compile-bf16'][1] else 'NOT MET'))
    if 'tf32' in ours and 'eager-tf32' in res:
        print('target: train tdnas tf32 < eager-tf32: %s' %
              ('MET' if ours['tf32'][0] < res['eager-tf32'][0] else 'NOT MET'))


if __name__ == '__main__':
    main()
