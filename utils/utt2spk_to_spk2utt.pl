#!/usr/bin/env perl
# utt2spk_to_spk2utt.pl: turns "utt spk" lines into "spk utt1 utt2 ..." lines, speakers in order of first
# appearance (so a sorted utt2spk with speaker-prefixed utterance ids gives a sorted spk2utt).
#   utt2spk_to_spk2utt.pl [<utt2spk>] > spk2utt
use strict;
use warnings;
my (@order, %utts);
while (<>) {
  my @f = split;
  next unless @f;
  die "utt2spk_to_spk2utt.pl: line $. of $ARGV has " . scalar(@f) . " fields, expected 2: $_" unless @f == 2;
  push @order, $f[1] unless exists $utts{$f[1]};
  push @{$utts{$f[1]}}, $f[0];
}
print join(' ', $_, @{$utts{$_}}), "\n" for @order;
