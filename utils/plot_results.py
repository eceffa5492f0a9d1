#!/usr/bin/env python3
"""plot_results.py: plots EER against MACs from a results table, one labelled point per subnet.

  plot_results.py [--title T] [--eer-column HEADER] <results-table> <out.png>

The table has a header line naming its columns; columns are separated by white space or by '|'
(a Markdown table works; its '---' line is skipped). The columns used, matched case-insensitively:
a name column (subnet, name or model; optional), MACs (header starting "mac"; values like 1234567,
450M, 1.2G, optionally with a unit in the header such as "MACs(M)") and EER (header starting "eer";
values in percent, a trailing % allowed; the first such column, or the one whose header is
--eer-column, case-insensitively). Lines starting with '#' are ignored.
Needs matplotlib (Debian: apt-get install python3-matplotlib); when it cannot be imported (also tried
with /usr/bin/python3) the script says so and exits 0 without a plot, so a recipe does not fail on it.
"""
import os
import re
import sys

USAGE = 'Usage: plot_results.py [--title T] [--eer-column HEADER] <results-table> <out.png>'
SCALE = {'': 1.0, 'K': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12}


def parse_number(text, header_unit, where):
    m = re.fullmatch(r'([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([KkMGT]?)%?', text.strip())
    if not m:
        sys.exit(f'plot_results.py: {where}: cannot read a number from "{text}"')
    return float(m.group(1)) * SCALE[m.group(2).upper()] * SCALE[header_unit]


def read_table(path, eer_header=None):
    with open(path) as f:
        lines = [l.rstrip('\n') for l in f if l.strip() and not l.lstrip().startswith('#')]
    lines = [l for l in lines if not re.fullmatch(r'[\s|:\-+]+', l)]
    if len(lines) < 2:
        sys.exit(f'plot_results.py: {path} has no header and rows')

    def split(l):
        if '|' in l:
            return [c.strip() for c in l.strip().strip('|').split('|')]
        return l.split()
    header = [h.lower() for h in split(lines[0])]

    def find(prefixes):
        for i, h in enumerate(header):
            if any(h.startswith(p) for p in prefixes):
                return i
        return -1
    name_col, mac_col, eer_col = find(['subnet', 'name', 'model']), find(['mac']), find(['eer'])
    if eer_header is not None:
        eer_col = header.index(eer_header.lower()) if eer_header.lower() in header else -1
        if eer_col < 0:
            sys.exit(f'plot_results.py: {path}: no column "{eer_header}" in: {lines[0]}')
    if mac_col < 0 or eer_col < 0:
        sys.exit(f'plot_results.py: {path}: header needs MACs and EER columns, got: {lines[0]}')
    unit = re.search(r'\(([kmgt])\)', header[mac_col])
    unit = unit.group(1).upper() if unit else ''
    rows = []
    for n, l in enumerate(lines[1:], 2):
        cells = split(l)
        if len(cells) <= max(mac_col, eer_col):
            sys.exit(f'plot_results.py: {path} line {n}: too few columns: {l}')
        name = cells[name_col] if name_col >= 0 else f'row{n - 1}'
        rows.append((name, parse_number(cells[mac_col], unit, f'{path} line {n}'),
                     parse_number(cells[eer_col], '', f'{path} line {n}')))
    return rows


def main():
    args = sys.argv[1:]
    title, eer_header = 'EER vs MACs', None
    while len(args) >= 2 and args[0] in ('--title', '--eer-column'):
        if args[0] == '--title':
            title = args[1]
        else:
            eer_header = args[1]
        args = args[2:]
    if len(args) != 2:
        sys.exit(USAGE)
    rows = read_table(args[0], eer_header)
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except ImportError:
        if os.path.exists('/usr/bin/python3') and os.path.realpath(sys.executable) != os.path.realpath('/usr/bin/python3') \
                and not os.environ.get('PLOT_RESULTS_REEXEC'):
            os.environ['PLOT_RESULTS_REEXEC'] = '1'
            os.execv('/usr/bin/python3', ['/usr/bin/python3', os.path.abspath(__file__)] + sys.argv[1:])
        print(f'plot_results.py: matplotlib cannot be imported (by {sys.executable}); no plot written to {args[1]}. '
              'Install it with: apt-get install python3-matplotlib', file=sys.stderr)
        return 0
    rows.sort(key=lambda r: r[1])
    fig, ax = plt.subplots(figsize=(6, 4), dpi=120)
    ax.plot([r[1] / 1e6 for r in rows], [r[2] for r in rows], 'o-', color='tab:blue')
    for name, macs, eer in rows:
        ax.annotate(name, (macs / 1e6, eer), textcoords='offset points', xytext=(4, 4), fontsize=8)
    ax.set_xlabel('MACs (M)')
    ax.set_ylabel('EER (%)')
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(args[1])
    print(f'plot_results.py: wrote {args[1]} ({len(rows)} points)', file=sys.stderr)
    return 0


if __name__ == '__main__':
    sys.exit(main())
