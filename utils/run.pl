#!/usr/bin/env perl
# run.pl: runs a command (or an array of N jobs) on this machine, with Kaldi's calling convention.
#
#   run.pl [options] JOB=1:N log/foo.JOB.log cmd args...   N jobs; JOB replaced in the log name and command
#   run.pl [options] log/foo.log cmd args...                one job
#
# Each log holds "# cmd", "# Started at ...", the job's stdout and stderr, "# Accounting: time=N threads=T"
# and "# Ended (code C) at ..., elapsed time N seconds". Exit status 0 when every job succeeded, 1 otherwise
# (naming the failed logs). The command runs under bash with pipefail, so "a \| b" fails when a fails.
# Arguments without white space are passed through unquoted (so "\|" builds a pipe); others are quoted;
# a command given as one argument is run as a shell command line.
use strict;
use warnings;
use POSIX qw(strftime);
use File::Basename qw(dirname);
use File::Path qw(make_path);

my $usage = <<"EOF";
Usage: run.pl [options] [JOB=1:N] <log-file> <command> [<args>...]
 e.g.: run.pl --max-jobs-run 2 JOB=1:4 exp/log/foo.JOB.log echo job JOB
Runs the command locally, once per value of JOB (JOB replaced everywhere in log name and command).
Options:
  --max-jobs-run <n>   at most n jobs at a time (default: all at once)
  --num-threads <n>    written to the log's Accounting line (default 1)
  --gpu <n>, --mem <x>, --time <t>, --config <f>   accepted for compatibility with slurm.pl/queue.pl, ignored here
EOF

my $max_jobs_run = -1;
my $num_threads = 1;
while (@ARGV >= 2 && $ARGV[0] =~ m/^--?([a-z][-_a-z0-9]*)(=(.*))?$/i) {
  my $name = $1;
  shift @ARGV;
  my $value = defined $2 ? $3 : shift @ARGV;
  $name =~ tr/-/_/;
  if ($name eq 'max_jobs_run') {
    die "run.pl: bad --max-jobs-run '$value'\n" unless $value =~ m/^-?\d+$/;
    $max_jobs_run = $value;
  } elsif ($name eq 'num_threads') {
    die "run.pl: bad --num-threads '$value'\n" unless $value =~ m/^\d+$/;
    $num_threads = $value;
  } elsif ($name =~ m/^(gpu|mem|time|config|l|q|sync|max_jobs|tc)$/) {
    # Resource requests mean nothing on the local machine.
  } else {
    die "run.pl: unknown option --$name\n$usage";
  }
}

my ($jobvar, $first, $last) = (undef, 1, 1);
if (@ARGV > 0 && $ARGV[0] =~ m/^([A-Za-z_]\w*)=(\d+):(\d+)$/) {
  ($jobvar, $first, $last) = ($1, $2, $3);
  shift @ARGV;
  die "run.pl: empty job range $jobvar=$first:$last\n" if $last < $first;
} elsif (@ARGV > 0 && $ARGV[0] =~ m/^([A-Za-z_]\w*)=(\d+)$/) {
  ($jobvar, $first, $last) = ($1, $2, $2);
  shift @ARGV;
}
if (@ARGV < 2) { print STDERR $usage; exit 1; }
my $logfile = shift @ARGV;
if (defined $jobvar && @ARGV > 0 && $logfile =~ m/^[A-Za-z_]\w*=\d+(:\d+)?$/) {
  die "run.pl: two job ranges given ($ARGV[0] after $jobvar)\n";
}

# Quote an argument only when it has white space or shell-special characters beyond the usual ones.
sub QuoteArg {
  my ($a) = @_;
  return $a if $a =~ m/^\S+$/;
  return "'$a'" unless $a =~ m/'/;
  (my $e = $a) =~ s/(["\\\$`])/\\$1/g;
  return "\"$e\"";
}
# A single command argument is taken as a shell command line ("a | b").
my $cmd = @ARGV == 1 ? $ARGV[0] : join(' ', map { QuoteArg($_) } @ARGV);

sub Subst {
  my ($s, $j) = @_;
  $s =~ s/\Q$jobvar\E/$j/g if defined $jobvar;
  return $s;
}

sub Now { return strftime('%a %b %e %H:%M:%S %Z %Y', localtime); }

# Runs one job in a child; returns its pid.
sub StartJob {
  my ($j) = @_;
  my $log = Subst($logfile, $j);
  my $c = Subst($cmd, $j);
  my $dir = dirname($log);
  make_path($dir) unless -d $dir;
  my $pid = fork();
  die "run.pl: fork failed: $!\n" unless defined $pid;
  if ($pid == 0) {
    open(my $fh, '>', $log) or die "run.pl: cannot write log file $log: $!\n";
    print $fh "# $c \n# Started at " . Now() . "\n#\n";
    close $fh;
    my $t0 = time();
    system('bash', '-c', "set -o pipefail; ( $c ) >>'$log' 2>&1");
    my $code = $? == -1 ? 127 : ($? & 127 ? 128 + ($? & 127) : $? >> 8);
    my $el = time() - $t0;
    open($fh, '>>', $log) or die "run.pl: cannot append to log file $log: $!\n";
    print $fh "# Accounting: time=$el threads=$num_threads\n";
    print $fh "# Ended (code $code) at " . Now() . ", elapsed time $el seconds\n";
    close $fh;
    exit($code == 0 ? 0 : 1);
  }
  return $pid;
}

my %pid2job;
my @failed;
my $running = 0;
sub WaitOne {
  my $pid = wait();
  return if $pid <= 0 || !exists $pid2job{$pid};
  push @failed, $pid2job{$pid} if $? != 0;
  delete $pid2job{$pid};
  $running--;
}
for my $j ($first .. $last) {
  WaitOne() while $max_jobs_run > 0 && $running >= $max_jobs_run;
  $pid2job{StartJob($j)} = $j;
  $running++;
}
WaitOne() while $running > 0;

my $njobs = $last - $first + 1;
if (@failed) {
  @failed = sort { $a <=> $b } @failed;
  if ($njobs == 1) {
    print STDERR "run.pl: job failed, log is in " . Subst($logfile, $failed[0]) . "\n";
  } else {
    printf STDERR "run.pl: %d / %d failed, log is in %s\n", scalar(@failed), $njobs,
        join(' ', map { Subst($logfile, $_) } @failed);
  }
  exit 1;
}
exit 0;
