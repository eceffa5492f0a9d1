#!/usr/bin/env python3
"""plot_search.py: EER against MACs for the subnet search of stage 7, one figure.

  local/plot_search.py <results-table> <search-results> <out.png>

<results-table>: exp/results.txt (columns subnet, config, MACs, params, EER-O, ...): its rows are
drawn as labelled points (named subnets blue, searched nas-* red). <search-results>:
exp/nas/search_results.txt (budget kind config macs params eer mindcf): the random subnets of each
budget as grey dots, the searched ones as red stars, the budgets as dotted vertical lines. Both
EERs are Vox1-O cosine; the search's come from nnet-eval-subnets (its own BN recalibration), the
table's from stages 4-6. Without matplotlib (also tried with /usr/bin/python3) it says so and exits 0.
"""
import os
import sys

SCALE = {'K': 1e3, 'M': 1e6, 'G': 1e9}


def number(text):
    text = text.rstrip('%')
    return float(text[:-1]) * SCALE[text[-1]] if text[-1] in SCALE else float(text)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.split('\n\n')[1])
    table, search, out = sys.argv[1:]
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except ImportError:
        if os.path.exists('/usr/bin/python3') and not os.environ.get('PLOT_SEARCH_REEXEC') and \
                os.path.realpath(sys.executable) != os.path.realpath('/usr/bin/python3'):
            os.environ['PLOT_SEARCH_REEXEC'] = '1'
            os.execv('/usr/bin/python3', ['/usr/bin/python3', os.path.abspath(__file__)] + sys.argv[1:])
        print('plot_search.py: no matplotlib, no plot written to ' + out, file=sys.stderr)
        return 0
    lines = [l.split() for l in open(table) if l.strip() and not l.startswith('#')]
    header = [h.lower() for h in lines[0]]
    mac_col, eer_col = header.index('macs'), header.index('eer-o')
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=120)
    for row in lines[1:]:
        if row[eer_col] == '-':
            continue
        x, y = number(row[mac_col]) / 1e6, float(row[eer_col])
        ax.plot(x, y, 'o', color='tab:red' if row[0].startswith('nas-') else 'tab:blue')
        ax.annotate(row[0], (x, y), textcoords='offset points', xytext=(4, 4), fontsize=8)
    rows = [l.split() for l in open(search) if len(l.split()) >= 6]
    for kind, style, label in (('random', dict(marker='.', color='grey', ls=''), 'random (search eval)'),
                               ('searched', dict(marker='*', color='tab:red', ls='', ms=10), 'searched (search eval)')):
        pts = [(float(r[3]) / 1e6, float(r[5])) for r in rows if r[1] == kind]
        if pts:
            ax.plot(*zip(*pts), label=label, **style)
    for b in dict.fromkeys(r[0] for r in rows):
        ax.axvline(number(b) / 1e6, ls=':', color='grey', lw=0.8)
    ax.set_xlabel('MACs (M, 3 s)')
    ax.set_ylabel('EER (%), Vox1-O cosine')
    ax.set_title('EfficientTDNN subnet search')
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out)
    print(f'plot_search.py: wrote {out}', file=sys.stderr)
    return 0


if __name__ == '__main__':
    sys.exit(main())
