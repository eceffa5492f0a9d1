#!/usr/bin/env python3
"""search_summary.py: per MAC budget, the searched subnet's measured EER against the median of the
random subnets measured under the same budget (issue: "no worse than the median of 10 random").

Input: a search_results file, one subnet per line: <budget> searched|random <config> <macs> <params> <eer> ...
(as the recipes' local/search_subnets.sh write it). Output, one line per budget in input order:
  budget 25M   searched EER 13.75%  random: median 14.94% (n=10, min 13.72, max 18.32)  OK|WORSE
Usage: utils/search_summary.py [--budget-width N] <search-results>
"""
import argparse
import statistics


def main():
    p = argparse.ArgumentParser(description='Searched vs random subnets per budget.')
    p.add_argument('--budget-width', type=int, default=5, help='column width of the budget label')
    p.add_argument('results')
    a = p.parse_args()
    rows = [l.split() for l in open(a.results) if len(l.split()) >= 6]
    for b in dict.fromkeys(r[0] for r in rows):
        s = [float(r[5]) for r in rows if r[0] == b and r[1] == 'searched']
        rnd = [float(r[5]) for r in rows if r[0] == b and r[1] == 'random']
        if not s or not rnd:
            print('budget %s: missing results' % b)
            continue
        med = statistics.median(rnd)
        print('budget %-*s searched EER %5.2f%%  random: median %5.2f%% (n=%d, min %.2f, max %.2f)  %s'
              % (a.budget_width, b, s[0], med, len(rnd), min(rnd), max(rnd), 'OK' if s[0] <= med else 'WORSE'))


if __name__ == '__main__':
    main()
