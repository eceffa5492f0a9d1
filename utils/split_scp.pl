#!/usr/bin/env perl
# split_scp.pl: splits a sorted table into N contiguous parts of about equal size.
#   split_scp.pl [--utt2spk <utt2spk>] <in> <out1> ... <outN>
# With --utt2spk, a speaker's lines never go to two parts (whole speakers, parts balanced by line count);
# it is an error to ask for more parts than there are speakers (or lines).
use strict;
use warnings;
my $utt2spk;
if (@ARGV && $ARGV[0] eq '--utt2spk') { shift @ARGV; $utt2spk = shift @ARGV; }
die "Usage: split_scp.pl [--utt2spk <utt2spk>] <in> <out1> ... <outN>\n" unless @ARGV >= 2;
my ($in, @outs) = @ARGV;
my $n = @outs;
open(my $fh, '<', $in) or die "split_scp.pl: cannot open $in: $!\n";
my @lines = grep { m/\S/ } <$fh>;
close $fh;
my %spk;
if (defined $utt2spk) {
  open(my $u, '<', $utt2spk) or die "split_scp.pl: cannot open $utt2spk: $!\n";
  while (<$u>) { my @f = split; $spk{$f[0]} = $f[1] if @f == 2; }
  close $u;
}
# Groups of consecutive lines that must stay together.
my @groups;
my $prev;
for my $l (@lines) {
  my ($key) = split ' ', $l;
  my $g = defined $utt2spk ? $spk{$key} : $key;
  die "split_scp.pl: $key (line of $in) is not in $utt2spk\n" unless defined $g;
  if (!defined $prev || $g ne $prev) { push @groups, []; $prev = $g; }
  push @{$groups[-1]}, $l;
}
my %seen;
if (defined $utt2spk) {
  for my $g (@groups) {
    my ($k) = split ' ', $g->[0];
    die "split_scp.pl: lines of speaker $spk{$k} are not contiguous in $in (sort it by speaker)\n" if $seen{$spk{$k}}++;
  }
}
my $ng = @groups;
die "split_scp.pl: cannot split " . ($ng) . (defined $utt2spk ? " speakers" : " lines") . " into $n parts\n" if $ng < $n;
my $total = @lines;
my ($gi, $done) = (0, 0);
for my $p (0 .. $n - 1) {
  open(my $o, '>', $outs[$p]) or die "split_scp.pl: cannot write $outs[$p]: $!\n";
  my $target = $total * ($p + 1) / $n;
  my $taken = 0;
  # Take at least one group, leave one for each later part, stop once this part reaches its share.
  while ($gi < $ng - ($n - 1 - $p) && ($taken == 0 || $done + @{$groups[$gi]} / 2 <= $target)) {
    print $o @{$groups[$gi]};
    $done += @{$groups[$gi]}; $taken++; $gi++;
  }
  if ($p == $n - 1) { while ($gi < $ng) { print $o @{$groups[$gi]}; $gi++; } }
  close $o;
}
