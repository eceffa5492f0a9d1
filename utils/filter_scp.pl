#!/usr/bin/env perl
# filter_scp.pl: keeps the lines of a table whose key (field 1, or field N with -f N) is listed as the
# first field of an id list; --exclude keeps the others. Order of the input is kept.
#   filter_scp.pl [--exclude] [-f N] <id-list> [<in-file>] > out
# e.g.: filter_scp.pl data/test/utt2spk data/all/wav.scp > data/test/wav.scp
use strict;
use warnings;
my ($exclude, $field) = (0, 1);
while (@ARGV && $ARGV[0] =~ m/^-/) {
  my $o = shift @ARGV;
  if ($o eq '--exclude') { $exclude = 1; }
  elsif ($o eq '-f') { $field = shift @ARGV; }
  elsif ($o =~ m/^-f(\d+)$/) { $field = $1; }
  else { die "filter_scp.pl: unknown option $o\n"; }
}
die "filter_scp.pl: bad field '$field'\n" unless defined $field && $field =~ m/^[1-9]\d*$/;
die "Usage: filter_scp.pl [--exclude] [-f N] <id-list> [<in-file>] > out\n" unless @ARGV == 1 || @ARGV == 2;
my $list = shift @ARGV;
my %keep;
open(my $fh, '<', $list) or die "filter_scp.pl: cannot open id list $list: $!\n";
while (<$fh>) { my @f = split; $keep{$f[0]} = 1 if @f; }
close $fh;
while (<>) {
  my @f = split;
  next unless @f >= $field;
  print if (exists $keep{$f[$field - 1]}) != $exclude;
}
