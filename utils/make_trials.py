#!/usr/bin/env python3
"""make_trials.py: speaker-verification trial lists, Kaldi and VoxCeleb formats.

  make_trials.py vox2kaldi <voxceleb-list> <kaldi-trials>
      "1 id10270/x6uYqmx31kE/00001.wav id10270/8jEAjG6SegY/00008.wav" -> "id10270-x6uYqmx31kE-00001
      id10270-8jEAjG6SegY-00008 target" (1 = target, 0 = nontarget; path spk/video/name.wav -> spk-video-name)
  make_trials.py kaldi2vox <kaldi-trials> <voxceleb-list>
      the reverse: an utterance id spk-video-name (spk and name without '-') -> spk/video/name.wav
  make_trials.py generate [--num-target N] [--num-nontarget M] [--seed S] [--spk2group F] <utt2spk> <kaldi-trials>
      random trials among a data dir's utterances: targets pair two different utterances of a speaker,
      nontargets two speakers; with --spk2group ("spk group" lines) a nontarget never pairs two speakers
      of the same group (for sources that may hold the same person under two names). No pair twice.
Use "-" for stdin / stdout.
"""
import argparse
import random
import sys


def open_in(path):
    return sys.stdin if path == '-' else open(path)


def open_out(path):
    return sys.stdout if path == '-' else open(path, 'w')


def path_to_utt(path, where):
    parts = path.split('/')
    if len(parts) < 3 or not parts[-1].endswith('.wav'):
        sys.exit(f'make_trials.py: {where}: expected spk/video/name.wav, got {path}')
    return '-'.join(parts[-3:-1] + [parts[-1][:-4]])


def utt_to_path(utt, where):
    first, _, rest = utt.partition('-')
    video, _, name = rest.rpartition('-')
    if not first or not video or not name:
        sys.exit(f'make_trials.py: {where}: utterance id {utt} is not of the form spk-video-name')
    return f'{first}/{video}/{name}.wav'


def vox2kaldi(args):
    with open_in(args.input) as f, open_out(args.output) as out:
        for n, line in enumerate(f, 1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) != 3 or fields[0] not in ('0', '1'):
                sys.exit(f'make_trials.py: {args.input} line {n}: expected "1|0 path1 path2", got: {line.strip()}')
            where = f'{args.input} line {n}'
            label = 'target' if fields[0] == '1' else 'nontarget'
            out.write(f'{path_to_utt(fields[1], where)} {path_to_utt(fields[2], where)} {label}\n')


def kaldi2vox(args):
    with open_in(args.input) as f, open_out(args.output) as out:
        for n, line in enumerate(f, 1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) != 3 or fields[2] not in ('target', 'nontarget'):
                sys.exit(f'make_trials.py: {args.input} line {n}: expected "utt1 utt2 target|nontarget", got: {line.strip()}')
            where = f'{args.input} line {n}'
            label = '1' if fields[2] == 'target' else '0'
            out.write(f'{label} {utt_to_path(fields[0], where)} {utt_to_path(fields[1], where)}\n')


def generate(args):
    spk2utts = {}
    with open_in(args.input) as f:
        for n, line in enumerate(f, 1):
            fields = line.split()
            if len(fields) != 2:
                sys.exit(f'make_trials.py: {args.input} line {n}: expected "utt spk"')
            spk2utts.setdefault(fields[1], []).append(fields[0])
    group = {s: s for s in spk2utts}
    if args.spk2group:
        with open(args.spk2group) as f:
            for line in f:
                fields = line.split()
                if len(fields) == 2 and fields[0] in group:
                    group[fields[0]] = fields[1]
    rng = random.Random(args.seed)
    spks = sorted(spk2utts)
    multi = [s for s in spks if len(spk2utts[s]) >= 2]
    if not multi:
        sys.exit('make_trials.py: no speaker has two utterances: cannot make target trials')
    if len({group[s] for s in spks}) < 2:
        sys.exit('make_trials.py: all speakers are in one group: cannot make nontarget trials')
    max_target = sum(len(spk2utts[s]) * (len(spk2utts[s]) - 1) // 2 for s in multi)
    num_target = min(args.num_target, max_target)
    seen, trials = set(), []

    def add(u1, u2, label):
        key = (min(u1, u2), max(u1, u2))
        if u1 == u2 or key in seen:
            return False
        seen.add(key)
        trials.append(f'{u1} {u2} {label}\n')
        return True

    made, tries = 0, 0
    while made < num_target and tries < 100 * num_target + 1000:
        tries += 1
        u1, u2 = rng.sample(spk2utts[rng.choice(multi)], 2)
        made += add(u1, u2, 'target')
    made, tries = 0, 0
    while made < args.num_nontarget and tries < 100 * args.num_nontarget + 1000:
        tries += 1
        s1, s2 = rng.sample(spks, 2)
        if group[s1] == group[s2]:
            continue
        made += add(rng.choice(spk2utts[s1]), rng.choice(spk2utts[s2]), 'nontarget')
    rng.shuffle(trials)
    with open_out(args.output) as out:
        out.writelines(trials)
    nt = sum(t.endswith(' target\n') for t in trials)
    print(f'make_trials.py: wrote {nt} target and {len(trials) - nt} nontarget trials from {len(spks)} speakers',
          file=sys.stderr)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest='cmd', required=True)
    for name in ('vox2kaldi', 'kaldi2vox'):
        s = sub.add_parser(name)
        s.add_argument('input')
        s.add_argument('output')
    g = sub.add_parser('generate')
    g.add_argument('--num-target', type=int, default=1000)
    g.add_argument('--num-nontarget', type=int, default=1000)
    g.add_argument('--seed', type=int, default=777)
    g.add_argument('--spk2group', default='')
    g.add_argument('input')
    g.add_argument('output')
    args = p.parse_args()
    {'vox2kaldi': vox2kaldi, 'kaldi2vox': kaldi2vox, 'generate': generate}[args.cmd](args)


if __name__ == '__main__':
    main()
