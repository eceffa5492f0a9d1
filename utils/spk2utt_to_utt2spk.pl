#!/usr/bin/env perl
# spk2utt_to_utt2spk.pl: turns "spk utt1 utt2 ..." lines into "utt spk" lines (in input order).
#   spk2utt_to_utt2spk.pl [<spk2utt>] > utt2spk
use strict;
use warnings;
while (<>) {
  my ($spk, @utts) = split;
  next unless defined $spk;
  print "$_ $spk\n" for @utts;
}
