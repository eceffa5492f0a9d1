#!/usr/bin/env python3
"""make_data.py: builds the mini recipe's speaker set (called by local/make_data.sh; see its usage).

Source "debian" (../shared/spec/data.md section 1): real speech from Debian packages, fetched with
apt-get download, unpacked with dpkg -x, one folder = one voice, checked by a voice audit (audit_voices) that
applies one rule to every voice, train and test alike: each file's median F0 (numpy, cached), each sub-folder's
median of those (sub-folders with >= 8 estimates); when the sorted sub-folder medians jump by more than x1.5,
the folder holds two people and becomes two speakers of the same group (so the train/test split of groups is
unchanged and the two never form a nontarget trial); report in <out>/voice_audit.txt. With the packages of
2026 it splits klettres de only (alpha ~227 Hz, syllab ~119 Hz). Every file goes through the same chain
(mono, silence trimmed at both ends, 8 kHz and back to 16 kHz, peak-normalised, 16-bit), so no speaker is
recognisable by bandwidth or level; identical files of a speaker (md5) are used once; short files are
joined and long ones cut into 2-4 s segments. Voices that may be one person under two names (the same
language in ktuberling, klettres and tuxpaint; Allison in the en and es prompts; all hedgewars packs) share a
"group": a group is never split between train and test, and never forms a nontarget trial with itself.
With --extra-packages true (default) tuxpaint-stamps-default and hedgewars-data add 23 voices, codec2-examples
(LGPL-2.1, one speaker per file: 2 long enough) and pocketsphinx-testdata (BSD-2, one LibriVox reader) 3 more;
all go to training unless their group is held out (split_groups), so the test set keeps its size.
Source "espeak" (data.md section 2): synthetic speakers, espeak-ng variant x pitch x speed, deterministic.

Writes <out>/{train,test}/{wav.scp,utt2spk,spk2utt,utt2dur,spk2group}, <out>/test/trials (Kaldi:
"enroll test target|nontarget") and <out>/test/veri_test.txt (VoxCeleb: "1|0 spk/tag/n.wav spk/tag/n.wav"),
audio under <out>/wav/. Utterance ids are <speaker>-<tag>-<nnnnn>, speakers and tags without '-'.
"""
import argparse
import concurrent.futures as cf
import hashlib
import os
import random
import re
import shutil
import subprocess
import sys
import time

try:
    import numpy as np
except ImportError:   # only the voice audit needs numpy (make_data.sh runs a python3 that has it)
    np = None

# (package, kind): kind names the rule that finds voices in the unpacked package.
PACKAGES = [
    ('kajongg', 'kajongg'), ('ktuberling-data', 'ktuberling'), ('klettres-data', 'klettres'),
    ('fillets-ng-data-cs', 'fillets'), ('fillets-ng-data-nl', 'fillets'),
    ('asterisk-core-sounds-en-gsm', 'asterisk'), ('asterisk-core-sounds-es-gsm', 'asterisk'),
    ('asterisk-core-sounds-fr-gsm', 'asterisk'), ('asterisk-core-sounds-it-gsm', 'asterisk'),
    ('asterisk-core-sounds-ru-gsm', 'asterisk'), ('asterisk-prompt-it-menardi-gsm', 'asterisk'),
    ('asterisk-prompt-es-co', 'asterisk'), ('asterisk-prompt-fr-armelle', 'asterisk'),
]
# The optional packages of data.md (--extra-packages, on by default; 319 MB; each one fetched on its own, and a
# package that cannot be fetched is left out): the two of the table and two of its "also in main" line. Their
# voices never pick test groups (--train-only-sources, default TRAIN_ONLY): they reach the test set only with a
# held-out group they share (a tuxpaint language with the ktuberling/klettres voice of that language), so the
# test set stays as it was and the training set grows.
EXTRA_PACKAGES = [('tuxpaint-stamps-default', 'tuxpaint'), ('hedgewars-data', 'hedgewars'),
                  ('codec2-examples', 'codec2'), ('pocketsphinx-testdata', 'pocketsphinx')]
TRAIN_ONLY = {'tuxpaint', 'hedgewars', 'codec2', 'pocketsphinx'}
TUXPAINT_LANGS = ['be', 'bg', 'ca', 'da', 'el', 'es', 'fr', 'ro', 'ru']
AUDIO = re.compile(r'\.(ogg|wav|gsm)$')
SEG_MIN, SEG_MAX = 2.0, 4.0
BYTES_PER_SEC = 32000.0   # 16 kHz, 16 bit, mono
# sox effects shared by every real-speech file: mono, peak-normalised (some files peak at -40 dB), silence
# below -40 dB trimmed at both ends, telephone bandwidth (8 kHz and back), peak at -3 dB. With -D (no
# dither) the output is deterministic.
SOX_EFFECTS = ['remix', '-', 'norm', '-1', 'silence', '1', '0.02', '1%', 'reverse', 'silence', '1', '0.02', '1%',
               'reverse', 'rate', '8000', 'rate', '16000', 'norm', '-3']


def log(msg):
    print(f'make_data.py: {msg}', file=sys.stderr, flush=True)


def clean(name):
    return re.sub(r'[^A-Za-z0-9_]', '_', name)


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)


def fetch_packages(download, timeout, packages):
    """apt-get download + dpkg -x of each package into download/<pkg>/ (cached). Returns False on failure."""
    debs = os.path.join(download, 'debs')
    os.makedirs(debs, exist_ok=True)
    need = [p for p, _ in packages if not os.path.exists(os.path.join(download, 'root', p, '.done'))]
    missing = [p for p in need if not any(f.startswith(p + '_') for f in os.listdir(debs))]
    if missing:
        if not shutil.which('apt-get'):
            log('apt-get not found')
            return False
        t0 = time.time()
        try:
            r = run(['apt-get', 'download', '-q'] + missing, cwd=debs, timeout=timeout)
        except subprocess.TimeoutExpired:
            log(f'apt-get download timed out after {timeout} s')
            return False
        if r.returncode != 0:
            lines = r.stderr.decode(errors='replace').strip().splitlines()
            log('apt-get download failed: ' + (lines[-1] if lines else f'exit code {r.returncode}'))
            return False
        log(f'downloaded {len(missing)} packages in {time.time() - t0:.1f} s')

    def unpack(p):
        deb = [f for f in os.listdir(debs) if f.startswith(p + '_') and f.endswith('.deb')]
        if not deb:
            return f'{p}: no .deb'
        root = os.path.join(download, 'root', p)
        shutil.rmtree(root, ignore_errors=True)
        os.makedirs(root)
        r = run(['dpkg', '-x', os.path.join(debs, sorted(deb)[-1]), root])
        if r.returncode != 0:
            return f'{p}: dpkg -x failed: {r.stderr.decode(errors="replace").strip()}'
        open(os.path.join(root, '.done'), 'w').close()
        return None
    t0 = time.time()
    with cf.ThreadPoolExecutor(max_workers=2) as ex:
        errors = [e for e in ex.map(unpack, need) if e]
    if errors:
        log('; '.join(errors))
        return False
    if need:
        log(f'unpacked {len(need)} packages in {time.time() - t0:.1f} s')
    return True


def find_voices(download, packages):
    """Returns {speaker: {'group': g, 'source': s, 'files': [(tag, path), ...]}} from the unpacked packages."""
    voices = {}

    def add(spk, group, source, tag, path, sub='.'):
        v = voices.setdefault(spk, {'group': group, 'source': source, 'files': []})
        v['files'].append((clean(tag), path, sub))

    def audio_files(d, recursive=False):
        if not os.path.isdir(d):
            return []
        if not recursive:
            return sorted(os.path.join(d, f) for f in os.listdir(d)
                          if AUDIO.search(f) and os.path.isfile(os.path.join(d, f)))
        out = []
        for r, dirs, files in os.walk(d):   # os.walk does not follow symlinked folders
            dirs[:] = sorted(x for x in dirs if x != 'silence')
            out += [os.path.join(r, f) for f in sorted(files) if AUDIO.search(f)]
        return out

    for pkg, kind in packages:
        share = os.path.join(download, 'root', pkg, 'usr', 'share')
        if kind == 'kajongg':
            base = os.path.join(share, 'kajongg', 'voices')
            for voice in sorted(os.listdir(base)):
                if voice == 'de' or not os.path.isdir(os.path.join(base, voice)):
                    continue
                spk = 'kajongg_' + clean(voice)
                for f in audio_files(os.path.join(base, voice)):
                    add(spk, spk, 'kajongg', 'en', f, 'en')
                for f in audio_files(os.path.join(base, 'de', voice)):
                    add(spk, spk, 'kajongg', 'de', f, 'de')
        elif kind == 'ktuberling':
            base = os.path.join(share, 'ktuberling', 'sounds')
            for lang in sorted(os.listdir(base)):
                if '@' in lang or lang == 'nn' or not os.path.isdir(os.path.join(base, lang)):
                    continue
                for f in audio_files(os.path.join(base, lang)):
                    add('ktub_' + clean(lang), 'lang_' + lang.split('_')[0], 'ktuberling', 'w', f)
        elif kind == 'klettres':
            base = os.path.join(share, 'klettres')
            for lang in sorted(os.listdir(base)):
                for sub in ('alpha', 'syllab'):
                    for f in audio_files(os.path.join(base, lang, sub)):
                        add('klet_' + clean(lang), 'lang_' + lang.split('_')[0], 'klettres', sub, f, sub)
        elif kind == 'fillets':
            base = os.path.join(share, 'games', 'fillets-ng', 'sound')
            lang = pkg.rsplit('-', 1)[1]
            for level in sorted(os.listdir(base)):
                for f in audio_files(os.path.join(base, level, lang)):
                    role = re.search(r'-([mv])-', os.path.basename(f))
                    if role:
                        spk = f'fillets_{lang}_{role.group(1)}'
                        add(spk, spk, 'fillets', 's', f, level)
        elif kind == 'asterisk':
            base = os.path.join(share, 'asterisk', 'sounds')
            for d in sorted(os.listdir(base)) if os.path.isdir(base) else []:
                if os.path.islink(os.path.join(base, d)):
                    continue
                files = audio_files(os.path.join(base, d), recursive=True)
                if not files:
                    continue
                if 'Allison' in d:
                    name = 'allison'      # en_US and es_MX prompts: the same person
                elif 'Menardi' in d or 'menardi' in pkg:
                    name = 'menardi'
                elif pkg.startswith('asterisk-prompt-'):
                    name = pkg[len('asterisk-prompt-'):].replace('-gsm', '')
                else:
                    name = d
                spk = 'ast_' + clean(name)
                for f in files:   # sub-folder: <dir>/<first folder below it>
                    rel = os.path.relpath(f, os.path.join(base, d)).split(os.sep)
                    add(spk, spk, 'asterisk', clean(d.split('_')[0]), f, d + '/' + (rel[0] if len(rel) > 1 else '.'))
        elif kind == 'tuxpaint':
            # One folder per language, but the voice of a language is known from the file name
            # (stamps/**/<stamp>_desc_<lang>.ogg). The changelog names one volunteer per language, except
            # French (two) and the numbers (Schoolsplay); a language may also be the ktuberling/klettres
            # voice of that language: same group.
            base = os.path.join(share, 'tuxpaint', 'stamps')
            byl = {lang: [] for lang in TUXPAINT_LANGS}
            for f in audio_files(base, recursive=True):
                m = re.search(r'_desc_([a-z]+)\.ogg$', f)
                if m and m.group(1) in byl:
                    byl[m.group(1)].append(f)
            for lang in TUXPAINT_LANGS:
                for f in byl[lang]:   # sub-folder: the stamp category
                    add('tux_' + lang, 'lang_' + lang, 'tuxpaint', 'd', f, os.path.relpath(f, base).split(os.sep)[0])
        elif kind == 'hedgewars':
            # Acted voice packs of unknown actors: one actor may voice several packs, so all packs form one
            # group (never on two sides of a nontarget trial; TRAIN_ONLY keeps them in training).
            base = os.path.join(share, 'games', 'hedgewars', 'Data', 'Sounds', 'voices')
            for pack in sorted(os.listdir(base)) if os.path.isdir(base) else []:
                if pack == 'Robot':
                    continue
                for f in audio_files(os.path.join(base, pack)):
                    add('hw_' + clean(pack), 'hedgewars', 'hedgewars', 'x', f)
        elif kind == 'codec2':
            # codec2/wav/<name>.wav: one recording per file, named by its speaker (radio amateurs' call signs,
            # hts1a, forig, ...), 8 kHz. Skipped: all.wav (a concatenation of the others), *2400.wav (forig and
            # morig through the codec), wia_16kHz.wav (1 s), and david4.wav and vk2tpm_004.wav, which are not
            # speech but FreeDV modem signals (flat energy, no voiced frames). All voices share one group (two
            # files may be one person); only ve9qrp (112 s, off-air SSB) and vk5qi (14 s) are long enough to pass
            # --min-utts-per-spk, the others (2-4 s) are dropped there. (codec2/raw/*.raw are headerless: unused.)
            base = os.path.join(share, 'codec2', 'wav')
            for f in audio_files(base):
                name = os.path.basename(f)[:-4]
                if name in ('all', 'david4', 'vk2tpm_004') or name.endswith('2400') or name.startswith('wia'):
                    continue
                add('c2_' + clean(name), 'codec2', 'codec2', 'r', f)
        elif kind == 'pocketsphinx':
            # pocketsphinx/test/data/librivox/*.wav: five sentences of one LibriVox reader (25 s, 16 kHz).
            base = os.path.join(share, 'pocketsphinx', 'test', 'data', 'librivox')
            for f in audio_files(base):
                add('ps_librivox', 'ps_librivox', 'pocketsphinx', 'r', f)
    return voices


def md5(path):
    with open(path, 'rb') as f:
        return hashlib.md5(f.read()).hexdigest()


def convert_speaker(spk, v, conv_dir, max_secs):
    """Converts a speaker's files (deduplicated, in a fixed shuffled order) until max_secs of audio.
    Returns [(tag, wav, seconds, sub-folder), ...]."""
    seen, files = set(), []
    for tag, path, sub in v['files']:
        h = md5(path)
        if h not in seen:
            seen.add(h)
            files.append((tag, path, h, sub))
    random.Random(spk).shuffle(files)
    out_dir = os.path.join(conv_dir, spk)
    os.makedirs(out_dir, exist_ok=True)
    out, total = [], 0.0
    for tag, path, h, sub in files:
        if total >= max_secs:
            break
        wav = os.path.join(out_dir, h + '.wav')
        if not os.path.exists(wav):
            r = run(['sox', '-D', path, '-b', '16', wav + '.tmp.wav'] + SOX_EFFECTS)
            if r.returncode != 0:
                log(f'WARNING: sox failed on {path}: {r.stderr.decode(errors="replace").strip()}')
                continue
            os.replace(wav + '.tmp.wav', wav)
        secs = (os.path.getsize(wav) - 44) / BYTES_PER_SEC
        if secs < 0.2:
            continue
        out.append((tag, wav, secs, sub))
        total += secs
    return out


def plan_segments(pieces):
    """Joins short files and cuts long ones: [(tag, wav, secs, sub)] -> segments [(tag, [(wav, start, dur)])],
    each 2-4 s (a leftover shorter than 2 s is dropped)."""
    segs, cur, cur_len, cur_tag = [], [], 0.0, None
    for tag, wav, secs, _ in pieces:
        if secs >= SEG_MIN:
            n = int(-(-secs // SEG_MAX))    # ceil: n parts, each secs / n in [2, 4]
            for i in range(n):
                segs.append((tag, [(wav, i * secs / n, secs / n)]))
            continue
        cur.append((wav, 0.0, secs))
        cur_len += secs
        cur_tag = cur_tag or tag
        if cur_len >= SEG_MIN:
            segs.append((cur_tag, cur))
            cur, cur_len, cur_tag = [], 0.0, None
    return segs


# Voice audit (one rule for every voice, train and test alike): a voice's files are grouped by the sub-folder
# (or sub-source) they come from; each file gets the median F0 of its voiced frames (file_f0); each sub-folder
# with at least AUDIT_MIN_FILES estimates gets the median of its files' medians. Sorted by that median, the
# sub-folders are cut at the largest ratio between neighbours; when that ratio passes AUDIT_RATIO (7 semitones,
# well beyond one person's register between recording sessions), the folder holds two people: the voice becomes
# two speakers, one per side (named by the sub-folder when a side has one, else _f0lo/_f0hi), in the SAME group,
# so the train/test split of groups does not move and the two never form a nontarget trial. Sub-folders too
# small to take part join the side their own median is nearer to (files without an estimate are dropped).
AUDIT_MIN_FILES = 8
AUDIT_RATIO = 1.5
F0_CACHE = 'f0.v1.txt'   # per converted file (named by md5): median F0 or '-'; a change of file_f0 -> new name


def file_f0(wav, fmin=60.0, fmax=400.0, sr=8000, frame=400, hop=160):
    """Median F0 (Hz) of the voiced frames of a converted file (16 kHz, band-limited to 4 kHz, so every other
    sample is taken: 8 kHz), or None when fewer than 3 frames are voiced. A YIN-like estimator on 50 ms frames
    every 20 ms within 25 dB of the loudest: the difference function from the frame's autocorrelation
    (d(t) = 2 (r(0) - r(t)), scaled by N / (N - t) for the shrinking overlap), normalised by its cumulative mean;
    the first lag in 1/fmax..1/fmin below 0.35 is followed down to its local minimum."""
    x = np.fromfile(wav, dtype='<i2', offset=44).astype(np.float64)[::2]
    if len(x) < frame:
        return None
    idx = np.arange(0, len(x) - frame + 1, hop)
    fr = x[idx[:, None] + np.arange(frame)]
    fr -= fr.mean(1, keepdims=True)
    e = (fr * fr).sum(1)
    fr = fr[e > 10 ** -2.5 * np.percentile(e, 95)]
    if len(fr) < 3:
        return None
    lo, hi = int(sr / fmax), int(sr / fmin)
    spec = np.fft.rfft(fr, 1024)
    r = np.fft.irfft(spec.real ** 2 + spec.imag ** 2, 1024)[:, :hi + 2]
    d = 2 * (r[:, :1] - r) * (frame / (frame - np.arange(hi + 2)))
    cm = np.cumsum(d[:, 1:], 1) / np.arange(1, hi + 2)
    dn = d[:, 1:] / np.maximum(cm, 1e-9)          # dn[:, k] is lag k + 1
    seg = dn[:, lo - 1:hi]                         # lags lo..hi
    below = seg < 0.35
    voiced = below.any(1)
    seg, t = seg[voiced], np.argmax(below[voiced], 1)
    rows = np.arange(len(seg))
    for _ in range(seg.shape[1]):
        nxt = np.minimum(t + 1, seg.shape[1] - 1)
        step = seg[rows, nxt] < seg[rows, t]
        if not step.any():
            break
        t = np.where(step, nxt, t)
    if len(t) < 3:
        return None
    return float(np.median(sr / (t + lo)))


def audit_voices(pieces, voices, conv_dir, report):
    """The voice audit (rule above) over converted pieces {spk: [(tag, wav, secs, sub)]}. Writes report and
    returns {speaker: (voice, pieces)} with split voices replaced by their two speakers."""
    if np is None:
        log('WARNING: numpy is missing: no voice audit (every folder taken as one voice)')
        with open(report, 'w') as f:
            f.write('# voice audit skipped: numpy is missing\n')
        return {spk: (spk, p) for spk, p in pieces.items()}
    t0 = time.time()
    cache_file = os.path.join(conv_dir, F0_CACHE)
    cache = {}
    if os.path.exists(cache_file):
        for line in open(cache_file):
            w = line.split()
            if len(w) == 2 and line.endswith('\n'):   # a line cut by an interrupted run is recomputed
                cache[w[0]] = None if w[1] == '-' else float(w[1])
    new = sorted({os.path.basename(p[1]) for ps in pieces.values() for p in ps} - set(cache))
    wav_of = {os.path.basename(p[1]): p[1] for ps in pieces.values() for p in ps}
    with open(cache_file, 'a') as f:
        for k in new:
            f0 = file_f0(wav_of[k])
            f0 = None if f0 is None else round(f0, 1)   # as cached: a first run decides as later ones
            cache[k] = f0
            f.write(f'{k} {"-" if f0 is None else f"{f0:.1f}"}\n')
    out, lines, split = {}, [], []
    for spk in sorted(pieces):
        f0s = {}
        for tag, wav, secs, sub in pieces[spk]:
            f0s.setdefault(sub, []).append(cache[os.path.basename(wav)])
        est = {sub: [x for x in v if x is not None] for sub, v in f0s.items()}
        med = {sub: float(np.median(v)) for sub, v in est.items() if v}
        allf = [x for v in est.values() for x in v]
        big = sorted((med[sub], sub) for sub in med if len(est[sub]) >= AUDIT_MIN_FILES)
        ratio, cut = 1.0, None
        for i in range(len(big) - 1):
            if big[i + 1][0] / big[i][0] > ratio:
                ratio, cut = big[i + 1][0] / big[i][0], i
        head = (f'{spk} source={voices[spk]["source"]} group={voices[spk]["group"]} files={len(pieces[spk])} '
                f'with_f0={len(allf)} median_f0={np.median(allf) if allf else 0:.0f}')
        subs = ' '.join(f'{sub}:{len(est[sub])}/{len(f0s[sub])}:{med[sub]:.0f}' for _, sub in big)
        small = len(f0s) - len(big)
        detail = f' | sub-folders (files with F0 / files : median Hz): {subs or "-"}' + \
            (f' (+{small} with fewer than {AUDIT_MIN_FILES} estimates)' if small else '')
        if cut is None or ratio <= AUDIT_RATIO:
            out[spk] = (spk, pieces[spk])
            why = 'one sub-folder' if len(big) < 2 else f'largest ratio {ratio:.2f} <= {AUDIT_RATIO}'
            lines.append(f'{head}{detail} -> kept ({why})')
            continue
        bound = (big[cut][0] * big[cut + 1][0]) ** 0.5
        sides = [[sub for _, sub in big[:cut + 1]], [sub for _, sub in big[cut + 1:]]]
        names = [f'{spk}_{clean(sd[0])}' if len(sd) == 1 else f'{spk}_{suf}' for sd, suf in zip(sides, ('f0lo', 'f0hi'))]
        side_of = {sub: (0 if med[sub] < bound else 1) for sub in med}
        for i, name in enumerate(names):
            out[name] = (spk, [p for p in pieces[spk] if side_of.get(p[3]) == i])
        dropped = len(pieces[spk]) - sum(len(out[n][1]) for n in names)
        split.append(spk)
        lines.append(f'{head}{detail} -> SPLIT (ratio {ratio:.2f} > {AUDIT_RATIO}) into {names[0]} '
                     f'({" ".join(sides[0])}) and {names[1]} ({" ".join(sides[1])}), same group'
                     + (f'; {dropped} files of sub-folders without an estimate dropped' if dropped else ''))
    with open(report, 'w') as f:
        f.write('# voice_audit.txt (local/make_data.py, audit_voices): per voice, the median F0 of each sub-folder\n'
                f'# with >= {AUDIT_MIN_FILES} files with an estimate; a voice whose sorted sub-folder medians jump '
                f'by more than x{AUDIT_RATIO} is split in two speakers of the same group.\n')
        f.writelines(line + '\n' for line in lines)
    log(f'voice audit: {len(pieces)} voices, F0 of {len(new)} new files, {time.time() - t0:.1f} s; '
        f'split: {", ".join(split) or "none"} (see {report})')
    return out


def write_segment(out_wav, parts):
    """Concatenates (wav, start, dur) parts into out_wav with sox."""
    if os.path.exists(out_wav):
        return None
    tmp = out_wav + '.tmp.wav'
    if len(parts) == 1:
        wav, start, dur = parts[0]
        cmd = ['sox', '-D', wav, tmp, 'trim', f'{start:.4f}', f'{dur:.4f}']
    else:
        cmd = ['sox', '-D'] + [p[0] for p in parts] + [tmp]
    r = run(cmd)
    if r.returncode != 0:
        return f'{out_wav}: {r.stderr.decode(errors="replace").strip()}'
    os.replace(tmp, out_wav)
    return None


ESPEAK_VARIANTS = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'f1', 'f2', 'f3', 'f4', 'f5', 'adam', 'andy',
                   'boris', 'david', 'edward', 'grandma', 'grandpa', 'john', 'linda', 'max', 'michel', 'norbert',
                   'paul', 'pedro', 'quincy', 'rob', 'steph', 'travis', 'victor', 'zac', 'Alicia', 'Andrea',
                   'annie', 'aunty', 'belinda', 'caleb', 'shelby', 'anika']
WORDS = ('the a of to and in is it you that he was for on are with as his they be at one have this from or had '
         'by word but what some we can out other were all there when up use your how said an each she which do '
         'their time if will way about many then them write would like so these her long make thing see him two '
         'has look more day could go come did number sound no most people my over know water than call first who '
         'may down side been now find any new work part take get place made live where after back little only '
         'round man year came show every good me give our under name very through just form sentence great think '
         'say help low line differ turn cause much mean before move right boy old too same tell does set three '
         'want air well also play small end put home read hand port large spell add even land here must big high '
         'such follow act why ask men change went light kind off need house picture try us again animal point '
         'mother world near build self earth father head stand own page should country found answer school grow '
         'study still learn plant cover food sun four between state keep eye never last let thought city tree '
         'cross farm hard start might story saw far sea draw left late run while press close night real life few '
         'north open seem together next white children begin got walk example ease paper group always music those '
         'both mark often letter until mile river car feet care second book carry took science eat room friend '
         'began idea fish mountain stop once base hear horse cut sure watch colour face wood main enough plain '
         'girl usual young ready above ever red list though feel talk bird soon body dog family direct pose leave '
         'song measure door product black short numeral class wind question happen complete ship area half rock '
         'order fire south problem piece told knew pass since top whole king space heard best hour better true '
         'during hundred five remember step early hold west ground interest reach fast verb sing listen six table '
         'travel less morning ten simple several vowel toward war lay against pattern slow centre love person '
         'money serve appear road map rain rule govern pull cold notice voice unit power town fine certain fly '
         'fall lead cry dark machine note wait plan figure star box noun field rest correct able pound done '
         'beauty drive stood contain front teach week final gave green oh quick develop ocean warm free minute '
         'strong special mind behind clear tail produce fact street inch multiply nothing course stay wheel full '
         'force blue object decide surface deep moon island foot system busy test record boat common gold').split()


def espeak_speakers(num_speakers):
    """A deterministic list of (speaker, variant, pitch, speed): variants in turn, pitch and speed spread."""
    out = []
    for i in range(num_speakers):
        variant = ESPEAK_VARIANTS[i % len(ESPEAK_VARIANTS)]
        pitch = 20 + (i * 37) % 60             # 20..79
        speed = 130 + (i * 23) % 60            # 130..189 words per minute
        out.append((f'esp{i + 1:03d}_{clean(variant)}', variant, pitch, speed))
    return out


def make_espeak(out, num_speakers, utts_per_spk, nj):
    if not shutil.which('espeak-ng'):
        sys.exit('make_data.py: espeak-ng is not installed (apt-get install espeak-ng); cannot make speakers')
    jobs = []
    for spk, variant, pitch, speed in espeak_speakers(num_speakers):
        rng = random.Random(spk)
        for u in range(utts_per_spk):
            text = ' '.join(rng.choice(WORDS) for _ in range(rng.randint(7, 11)))
            jobs.append((spk, f'{spk}-tts-{u + 1:05d}', variant, pitch, speed, text))

    def synth(job):
        spk, utt, variant, pitch, speed, text = job
        wav = os.path.join(out, 'wav', spk, utt + '.wav')
        if os.path.exists(wav):
            return spk, utt, wav
        os.makedirs(os.path.dirname(wav), exist_ok=True)
        raw = wav + '.raw.wav'
        r = run(['espeak-ng', '-v', f'en+{variant}', '-p', str(pitch), '-s', str(speed), '-w', raw, text])
        if r.returncode == 0:
            r = run(['sox', '-D', raw, '-b', '16', '-c', '1', wav + '.tmp.wav', 'rate', '16000'])
        if r.returncode != 0:
            sys.exit(f'make_data.py: synthesis failed for {utt}: {r.stderr.decode(errors="replace").strip()}')
        os.remove(raw)
        os.replace(wav + '.tmp.wav', wav)
        return spk, utt, wav
    with cf.ThreadPoolExecutor(max_workers=nj) as ex:
        done = list(ex.map(synth, jobs))
    speakers = {}
    for spk, utt, wav in done:
        v = speakers.setdefault(spk, {'group': spk, 'source': 'espeak', 'utts': []})
        v['utts'].append((utt, wav, (os.path.getsize(wav) - 44) / BYTES_PER_SEC))
    return speakers


def make_debian(out, download, max_secs, nj, timeout, extra, audit=True, max_secs_train=None):
    """Speakers from the Debian packages, each with up to max(max_secs, max_secs_train) s of segments; 'base_n'
    of a speaker counts its first segments that reach max_secs (all a test speaker keeps, see main)."""
    max_secs_train = max(max_secs, max_secs_train or 0)
    if not fetch_packages(download, timeout, PACKAGES):
        return None
    packages = list(PACKAGES)
    if extra:
        for pkg in EXTRA_PACKAGES:
            if fetch_packages(download, timeout, [pkg]):
                packages.append(pkg)
            else:
                log(f'WARNING: the optional package {pkg[0]} could not be fetched: going on without its voices')
    voices = find_voices(download, packages)
    t0 = time.time()
    # Converted files are cached; a change of the effects gets a fresh cache.
    conv_dir = os.path.join(download, 'conv-' + hashlib.md5(' '.join(SOX_EFFECTS).encode()).hexdigest()[:8])
    with cf.ThreadPoolExecutor(max_workers=nj) as ex:
        futs = {spk: ex.submit(convert_speaker, spk, v, conv_dir, max_secs_train * 1.05) for spk, v in voices.items()}
        pieces = {spk: f.result() for spk, f in futs.items()}
    log(f'converted the audio of {len(voices)} voices in {time.time() - t0:.1f} s')
    audited = audit_voices(pieces, voices, conv_dir, os.path.join(out, 'voice_audit.txt')) if audit else \
        {spk: (spk, p) for spk, p in pieces.items()}
    speakers, seg_jobs = {}, []
    for spk in sorted(audited):
        voice, spk_pieces = audited[spk]
        segs = plan_segments(spk_pieces)
        if not segs:
            continue
        v = speakers.setdefault(spk, {'group': voices[voice]['group'], 'source': voices[voice]['source'], 'utts': []})
        total = 0.0
        for n, (tag, parts) in enumerate(segs, 1):
            if total < max_secs:
                v['base_n'] = n
            if total >= max_secs_train:
                break
            utt = f'{spk}-{tag}-{n:05d}'
            wav = os.path.join(out, 'wav', spk, utt + '.wav')
            dur = sum(p[2] for p in parts)
            v['utts'].append((utt, wav, dur))
            seg_jobs.append((wav, parts))
            total += dur
    for spk in speakers:
        os.makedirs(os.path.join(out, 'wav', spk), exist_ok=True)
    t0 = time.time()
    with cf.ThreadPoolExecutor(max_workers=nj) as ex:
        errors = [e for e in ex.map(lambda j: write_segment(*j), seg_jobs) if e]
    if errors:
        sys.exit('make_data.py: writing segments failed: ' + errors[0])
    log(f'wrote {len(seg_jobs)} segments in {time.time() - t0:.1f} s')
    for v in speakers.values():   # exact durations from the files
        v['utts'] = [(u, w, (os.path.getsize(w) - 44) / BYTES_PER_SEC) for u, w, _ in v['utts']]
    return speakers


def split_groups(speakers, test_fraction, min_utts, train_only=TRAIN_ONLY):
    """Whole groups to train or test: within each source but those in train_only, groups in a fixed hashed
    order, every group whose running share passes test_fraction goes to test (with all its speakers, whatever
    their source). Speakers with fewer than min_utts utterances are dropped."""
    speakers = {s: v for s, v in speakers.items() if len(v['utts']) >= min_utts}
    by_source = {}
    for s, v in speakers.items():
        if v['source'] in train_only:
            continue
        by_source.setdefault(v['source'], set()).add(v['group'])
    test_groups = set()
    for source in sorted(by_source):
        groups = sorted(by_source[source], key=lambda g: hashlib.md5(g.encode()).hexdigest())
        for i, g in enumerate(groups):
            if int((i + 1) * test_fraction) > int(i * test_fraction):
                test_groups.add(g)
    train = {s: v for s, v in speakers.items() if v['group'] not in test_groups}
    test = {s: v for s, v in speakers.items() if v['group'] in test_groups}
    return train, test


def write_dir(d, speakers):
    os.makedirs(d, exist_ok=True)
    utts = sorted((u, s, w, dur) for s, v in speakers.items() for u, w, dur in v['utts'])
    with open(os.path.join(d, 'wav.scp'), 'w') as f:
        f.writelines(f'{u} {os.path.abspath(w)}\n' for u, s, w, dur in utts)
    with open(os.path.join(d, 'utt2spk'), 'w') as f:
        f.writelines(f'{u} {s}\n' for u, s, w, dur in utts)
    with open(os.path.join(d, 'utt2dur'), 'w') as f:
        f.writelines(f'{u} {dur:.3f}\n' for u, s, w, dur in utts)
    with open(os.path.join(d, 'spk2utt'), 'w') as f:
        for s in sorted(speakers):
            f.write(' '.join([s] + sorted(u for u, _, _ in speakers[s]['utts'])) + '\n')
    with open(os.path.join(d, 'spk2group'), 'w') as f:
        f.writelines(f'{s} {speakers[s]["group"]}\n' for s in sorted(speakers))
    return len(utts), sum(x[3] for x in utts)


def main():
    p = argparse.ArgumentParser(description='Builds data/train, data/test and trials for egs/mini.')
    p.add_argument('--source', choices=['auto', 'debian', 'espeak'], default='auto')
    p.add_argument('--download-dir', default='data/download')
    p.add_argument('--max-secs-per-spk', type=float, default=240.0)
    p.add_argument('--max-secs-per-train-spk', type=float, default=240.0,
                   help='cap of a training speaker (Debian source; a test speaker keeps --max-secs-per-spk: the '
                        'same first segments whatever this is)')
    p.add_argument('--test-fraction', type=float, default=0.35)
    p.add_argument('--extra-packages', choices=['true', 'false'], default='true')
    p.add_argument('--train-only-sources', default=','.join(sorted(TRAIN_ONLY)),
                   help='sources whose own groups all go to training (comma-separated; "" for none)')
    p.add_argument('--voice-audit', choices=['true', 'false'], default='true',
                   help='split a folder whose sub-folders hold two people by F0 (see audit_voices; needs numpy)')
    p.add_argument('--min-utts-per-spk', type=int, default=4)
    p.add_argument('--num-target', type=int, default=1500)
    p.add_argument('--num-nontarget', type=int, default=1500)
    p.add_argument('--espeak-speakers', type=int, default=40)
    p.add_argument('--espeak-utts', type=int, default=20)
    p.add_argument('--apt-timeout', type=int, default=300)
    p.add_argument('--nj', type=int, default=2)
    p.add_argument('out')
    a = p.parse_args()
    t0 = time.time()
    # Segments in <out>/wav are reused by name: drop them when they were made another way.
    stamp = ' '.join(SOX_EFFECTS) + f' {SEG_MIN} {SEG_MAX}'
    stamp_file = os.path.join(a.out, 'wav', '.stamp')
    if os.path.exists(os.path.join(a.out, 'wav')) and \
            (not os.path.exists(stamp_file) or open(stamp_file).read() != stamp):
        shutil.rmtree(os.path.join(a.out, 'wav'))
    os.makedirs(os.path.join(a.out, 'wav'), exist_ok=True)
    with open(stamp_file, 'w') as f:
        f.write(stamp)
    speakers = None
    if a.source in ('auto', 'debian'):
        speakers = make_debian(a.out, a.download_dir, a.max_secs_per_spk, a.nj, a.apt_timeout,
                                   a.extra_packages == 'true', a.voice_audit == 'true', a.max_secs_per_train_spk)
        if speakers is None:
            if a.source == 'debian':
                sys.exit('make_data.py: could not fetch the Debian packages (see above)')
            log('*** the Debian speech packages could not be fetched: falling back to SYNTHETIC espeak-ng '
                'speakers (results will not mean much for real speech) ***')
    if speakers is None:
        speakers = make_espeak(a.out, a.espeak_speakers, a.espeak_utts, a.nj)
    train, test = split_groups(speakers, a.test_fraction, a.min_utts_per_spk,
                               set(x for x in a.train_only_sources.split(',') if x))
    test = {s: dict(v, utts=v['utts'][:v.get('base_n', len(v['utts']))]) for s, v in test.items()}
    if len(train) < 2 or len(test) < 2:
        sys.exit(f'make_data.py: too few speakers ({len(train)} train, {len(test)} test)')
    n_train, s_train = write_dir(os.path.join(a.out, 'train'), train)
    n_test, s_test = write_dir(os.path.join(a.out, 'test'), test)
    utils = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'utils')
    test_dir = os.path.join(a.out, 'test')
    r = subprocess.run([sys.executable, os.path.join(utils, 'make_trials.py'), 'generate',
                        '--num-target', str(a.num_target), '--num-nontarget', str(a.num_nontarget),
                        '--spk2group', os.path.join(test_dir, 'spk2group'),
                        os.path.join(test_dir, 'utt2spk'), os.path.join(test_dir, 'trials')])
    if r.returncode == 0:
        r = subprocess.run([sys.executable, os.path.join(utils, 'make_trials.py'), 'kaldi2vox',
                            os.path.join(test_dir, 'trials'), os.path.join(test_dir, 'veri_test.txt')])
    if r.returncode != 0:
        sys.exit('make_data.py: making the trial lists failed')
    log(f'train: {len(train)} speakers, {n_train} utterances, {s_train / 3600:.2f} h; '
        f'test: {len(test)} speakers, {n_test} utterances, {s_test / 3600:.2f} h; {time.time() - t0:.0f} s in all')


if __name__ == '__main__':
    main()
