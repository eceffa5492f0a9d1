#!/usr/bin/python3
"""tdnn_reference.py: the EfficientTDNN static subnet in PyTorch, written from the spec
(../shared/spec/efficienttdnn.md section 2), used only by tests and benchmarks.

  dump  --cases "CFG:B:T:N:SEED[:STEPS];..." --out DIR
        per case: random float32 weights (BN affine and running stats randomised too), random
        input and labels; one train-mode forward + AAM loss + backward, then an eval-mode
        forward, computed in float64 (so the dump is the exact answer for those float32 weights,
        and a float32 implementation's error is measured alone) and once more in float32 (the
        "f32." records: PyTorch's own float32 error, for context); writes every input,
        parameter, output, gradient and updated running statistic to DIR/case<i>.bin; with
        STEPS, also the losses of STEPS Adam steps on that batch (float64), "loss_curve".
  bench --config CFG --batch B --frames T --classes N --threads P --iters I
        ms per training step (forward + backward + Adam) and per inference forward.

Dump format (little-endian): records of
  int32 name_len, name bytes, int32 ndim, int32 dims[ndim], float32 data[prod(dims)]
Parameter names are the state_dict names, which StaticTdnn uses too.
"""
import argparse
import copy
import math
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def parse_config(s):
    v = [int(x) for x in s.split('-')]
    d = v[0]
    widths, kernels, cat = v[1:d + 2], v[d + 2:2 * d + 3], v[2 * d + 3]
    assert len(v) == 2 * d + 4, s
    return d, widths, kernels, cat


class ConvUnit(nn.Module):
    """conv (no bias, same padding) -> ReLU -> BN."""
    def __init__(self, cin, cout, k, dil):
        super().__init__()
        self.conv = nn.Conv1d(cin, cout, k, dilation=dil, padding=(k - 1) // 2 * dil, bias=False)
        self.bn = nn.BatchNorm1d(cout)

    def forward(self, x):
        return self.bn(F.relu(self.conv(x)))


class SE(nn.Module):
    def __init__(self, c0):
        super().__init__()
        self.fc1 = nn.Linear(c0, c0 // 4)
        self.fc2 = nn.Linear(c0 // 4, c0)

    def forward(self, v):
        a = torch.sigmoid(self.fc2(F.relu(self.fc1(v.mean(dim=2)))))
        return v * a.unsqueeze(2)


class Block(nn.Module):
    """Res2Net block, scale 8, with squeeze-excitation; the residual is added outside."""
    def __init__(self, c0, ci, k, dil):
        super().__init__()
        self.w = ci // 8
        self.conv1 = ConvUnit(c0, ci, 1, 1)
        self.res2 = nn.ModuleList([ConvUnit(self.w, self.w, k, dil) for _ in range(7)])
        self.conv3 = ConvUnit(ci, c0, 1, 1)
        self.se = SE(c0)

    def forward(self, h):
        g = torch.split(self.conv1(h), self.w, dim=1)
        z = []
        for j in range(7):
            z.append(self.res2[j](g[0] if j == 0 else g[j] + z[-1]))
        z.append(g[7])
        return self.se(self.conv3(torch.cat(z, dim=1)))


class Pool(nn.Module):
    def __init__(self, c, att=128):
        super().__init__()
        self.att1 = nn.Conv1d(c, att, 1, bias=False)
        self.att2 = nn.Conv1d(att, c, 1, bias=False)

    def forward(self, h):
        a = torch.softmax(self.att2(torch.tanh(self.att1(h))), dim=2)
        mu = torch.sum(a * h, dim=2)
        sd = torch.sqrt(torch.clamp(torch.sum(a * h * h, dim=2) - mu * mu, min=1e-9))
        return torch.cat([mu, sd], dim=1)


class AamHead(nn.Module):
    def __init__(self, n, e, margin=0.2, scale=30.0):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n, e))
        nn.init.xavier_normal_(self.weight)
        self.m, self.s = margin, scale

    def forward(self, x, label):
        cos = F.linear(F.normalize(x), F.normalize(self.weight))
        sine = torch.sqrt(torch.clamp(1.0 - cos * cos, 0, 1))
        phi = cos * math.cos(self.m) - sine * math.sin(self.m)
        phi = torch.where(cos - math.cos(math.pi - self.m) > 0, phi,
                          cos - math.sin(math.pi - self.m) * self.m)
        onehot = torch.zeros_like(cos).scatter_(1, label.view(-1, 1), 1.0)
        logits = self.s * (onehot * phi + (1.0 - onehot) * cos)
        loss = F.cross_entropy(logits, label)
        correct = (logits.argmax(dim=1) == label).sum()
        return loss, correct


class Tdnn(nn.Module):
    def __init__(self, config, num_classes, in_dim=80, embed=192):
        super().__init__()
        d, widths, kernels, cat = parse_config(config)
        c0 = widths[0]
        self.stem = ConvUnit(in_dim, c0, kernels[0], 1)
        self.blocks = nn.ModuleList([Block(c0, widths[i + 1], kernels[i + 1], i + 2)
                                     for i in range(d)])
        self.cat = nn.Conv1d(d * c0, cat, 1, bias=False)
        self.pool = Pool(cat)
        self.pool_bn = nn.BatchNorm1d(2 * cat)
        self.fc = nn.Linear(2 * cat, embed)
        self.embed_bn = nn.BatchNorm1d(embed)
        self.head = AamHead(num_classes, embed) if num_classes > 0 else None

    def forward(self, x):
        x0 = self.stem(x)
        h, s, ys = x0, x0, []
        for blk in self.blocks:
            y = blk(h) + s
            s = s + y
            h = y
            ys.append(y)
        hc = F.relu(self.cat(torch.cat(ys, dim=1)))
        return self.embed_bn(self.fc(self.pool_bn(self.pool(hc))))


def write_record(f, name, t):
    t = t.detach().to(torch.float32).contiguous().cpu()
    nb = name.encode()
    f.write(struct.pack('<i', len(nb)) + nb)
    f.write(struct.pack('<i', t.dim()) + struct.pack('<%di' % t.dim(), *t.shape))
    f.write(t.numpy().astype('<f4').tobytes())


def randomise(model, gen):
    with torch.no_grad():
        for name, m in model.named_modules():
            if isinstance(m, nn.BatchNorm1d):
                m.weight.uniform_(0.5, 1.5, generator=gen)
                m.bias.uniform_(-0.2, 0.2, generator=gen)
                m.running_mean.normal_(0.0, 0.1, generator=gen)
                m.running_var.uniform_(0.5, 1.5, generator=gen)


def run_case(model, x, labels, f, prefix):
    """One train step's forward/backward and an eval forward; records named prefix + ..."""
    model.train()
    model.zero_grad()
    emb = model(x)
    loss, correct = model.head(emb, labels)
    loss.backward()
    write_record(f, prefix + 'embedding', emb)
    write_record(f, prefix + 'loss', loss.reshape(1))
    write_record(f, prefix + 'correct', correct.float().reshape(1))
    for n, p in model.named_parameters():
        write_record(f, prefix + 'grad.' + n, p.grad)
    for n, b in model.named_buffers():
        if 'running' in n:
            write_record(f, prefix + 'state.' + n, b)
    model.eval()
    with torch.no_grad():
        write_record(f, prefix + 'embedding_eval', model(x))


def loss_curve(model, x, labels, steps, f):
    """steps Adam steps (lr 1e-3, L2 weight decay 2e-5, the reference's optimiser) on one
    batch, in the model's precision; records the loss before each step."""
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=2e-5)
    model.train()
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss, _ = model.head(model(x), labels)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    write_record(f, 'loss_curve', torch.tensor(losses))


def cmd_dump(a):
    for i, case in enumerate(a.cases.split(';')):
        fields = case.split(':')
        config, batch, frames, classes, seed = fields[:5]
        steps = int(fields[5]) if len(fields) > 5 else 0
        batch, frames, classes, seed = int(batch), int(frames), int(classes), int(seed)
        torch.manual_seed(seed)
        gen = torch.Generator().manual_seed(seed + 1)
        model = Tdnn(config, classes)
        randomise(model, gen)
        x = torch.randn(batch, 80, frames, generator=gen)
        labels = torch.randint(0, classes, (batch,), generator=gen)
        init = copy.deepcopy(model.state_dict())
        with open('%s/case%d.bin' % (a.out, i), 'wb') as f:
            write_record(f, 'input', x)
            write_record(f, 'labels', labels.float())
            for n, p in model.named_parameters():
                write_record(f, n, p)
            for n, b in model.named_buffers():
                if 'running' in n:
                    write_record(f, 'init.' + n, b)
            run_case(model, x, labels, f, 'f32.')
            model.load_state_dict(init)
            run_case(model.double(), x.double(), labels, f, '')
            if steps > 0:
                model.load_state_dict(init)
                loss_curve(model, x.double(), labels, steps, f)


def cmd_bench(a):
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = Tdnn(a.config, a.classes)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=2e-5)
    x = torch.randn(a.batch, 80, a.frames)
    labels = torch.randint(0, a.classes, (a.batch,))

    def train_step():
        opt.zero_grad()
        loss, _ = model.head(model(x), labels)
        loss.backward()
        opt.step()

    def infer():
        with torch.no_grad():
            model(x)

    res = {}
    for name, fn, mode in (('train', train_step, True), ('infer', infer, False)):
        model.train(mode)
        fn()   # warm-up
        t0 = time.perf_counter()
        for _ in range(a.iters):
            fn()
        res[name] = (time.perf_counter() - t0) * 1000.0 / a.iters
    print('torch train_ms %.1f infer_ms %.1f' % (res['train'], res['infer']))


def main():
    p = argparse.ArgumentParser()
    p.add_argument('cmd', choices=['dump', 'bench'])
    p.add_argument('--config')
    p.add_argument('--cases')
    p.add_argument('--batch', type=int, default=4)
    p.add_argument('--frames', type=int, default=20)
    p.add_argument('--classes', type=int, default=10)
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--iters', type=int, default=3)
    p.add_argument('--out')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    cmd_dump(a) if a.cmd == 'dump' else cmd_bench(a)


if __name__ == '__main__':
    main()
