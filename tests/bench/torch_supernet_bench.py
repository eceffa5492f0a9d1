#!/usr/bin/python3
"""torch_supernet_bench.py: the PyTorch side of tests/bench/gpu-train-bench.sh's dynamic stage.

A supernet step with a random subnet per step, as PyTorch eager would run it at best: the
subnets (configs given by --configs, e.g. sampled by nnet-sample-subnet --list) are built as
static reference networks (tests/reference/tdnn_reference.py) before timing, each with its own
Adam, and step i trains subnet i mod n. So the times are a LOWER bound of a PyTorch supernet
step: they leave out the gather of shared weights, the kernel transforms and the scatter of the
gradients back (the part tdnas times inside its step), and torch.compile is not used (a new
shape each step would recompile). Prints "torch dynamic-<mode> train_ms X" (median of CUDA-event
timed steps after warm-up over every subnet).
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_gpu_bench import median_ms  # noqa: E402
from tdnn_reference import Tdnn  # noqa: E402  (torch_gpu_bench put tests/reference on the path)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--configs', required=True, help='comma-separated subnet configs')
    p.add_argument('--batch', type=int, default=128)
    p.add_argument('--frames', type=int, default=200)
    p.add_argument('--classes', type=int, default=5994)
    p.add_argument('--iters', type=int, default=24)
    p.add_argument('--modes', default='tf32,bf16')
    a = p.parse_args()
    cfgs = a.configs.split(',')
    dev = 'cuda'
    torch.manual_seed(0)
    x = torch.randn(a.batch, 80, a.frames, device=dev)
    labels = torch.randint(0, a.classes, (a.batch,), device=dev)
    nets = [Tdnn(c, a.classes).to(dev) for c in cfgs]
    opts = [torch.optim.Adam(n.parameters(), lr=1e-4, weight_decay=2e-5) for n in nets]
    for mode in a.modes.split(','):
        torch.backends.cuda.matmul.allow_tf32 = mode != 'fp32'
        torch.backends.cudnn.allow_tf32 = mode != 'fp32'
        state = {'i': 0}

        def step():
            i = state['i'] % len(nets)
            state['i'] += 1
            net, opt = nets[i], opts[i]
            opt.zero_grad(set_to_none=True)
            with torch.autocast('cuda', dtype=torch.bfloat16, enabled=mode == 'bf16'):
                loss = net.head(net(x), labels)[0]
            loss.backward()
            opt.step()

        for _ in range(len(nets)):   # warm every subnet (cuDNN autotuning per shape)
            step()
        ms = median_ms(step, a.iters)
        print('torch dynamic-%s train_ms %.2f  (%d subnets, eager, prebuilt: lower bound)' %
              (mode, ms, len(nets)), flush=True)


if __name__ == '__main__':
    main()
