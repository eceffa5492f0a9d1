#!/usr/bin/env perl
# grid-run.pl: the engine behind slurm.pl and queue.pl (run.pl's command line, jobs run by a cluster).
#
#   grid-run.pl --backend=slurm|sge [options] [JOB=1:N] <log-file> <command> [<args>...]
#
# For each job it writes a bash script <log-dir>/q/<log-name>.sh that cds to the current directory, runs
# the command and writes the log in run.pl's format, then a marker file <log-dir>/q/done.<log-name>
# holding the exit code. Jobs are submitted one per script (sbatch for slurm, qsub for sge), at most
# --max-jobs-run at a time; the script waits until every marker exists (or the scheduler no longer knows
# the job), and exits 1 naming the failed logs if any job failed.
#
# Resource options (--mem 4G, --num-threads 4, --gpu 1, --time 1:00:00, or any key the conf file names)
# become submit options through a conf file in Kaldi's format: conf/slurm.conf or conf/queue.conf when
# present in the current directory, --config <file> to name one, a built-in default otherwise:
#   command <submit command and fixed options>
#   option <key>=<value> <options>      used when the key has exactly this value ("" = add nothing)
#   option <key>=* <options with $0>    used for any other value, $0 replaced by the value
#   default <key>=<value>               value used when the command line does not give the key
# A job that leaves the queue without writing its marker fails after GRID_RUN_LOST_WAIT seconds (default 10).
use strict;
use warnings;
use Cwd qw(getcwd abs_path);
use POSIX qw(strftime);
use File::Basename qw(dirname basename);
use File::Path qw(make_path);

my %default_conf = (
  slurm => <<'EOF',
command sbatch --export=ALL --nodes=1 --ntasks-per-node=1
option mem=* --mem=$0
option mem=0
option num_threads=* --cpus-per-task=$0
option num_threads=1 --cpus-per-task=1
option time=* --time=$0
default gpu=0
option gpu=0
option gpu=* --gres=gpu:$0
option partition=* --partition=$0
EOF
  sge => <<'EOF',
command qsub -v PATH -cwd -S /bin/bash -j y
option mem=* -l mem_free=$0,ram_free=$0
option mem=0
option num_threads=* -pe smp $0
option num_threads=1
option time=* -l h_rt=$0
default gpu=0
option gpu=0
option gpu=* -l gpu=$0 -q g.q
option queue=* -q $0
EOF
);

my $backend = '';
if (@ARGV && $ARGV[0] =~ m/^--backend=(slurm|sge)$/) { $backend = $1; shift @ARGV; }
die "grid-run.pl: first argument must be --backend=slurm or --backend=sge\n" unless $backend;
my $prog = $backend eq 'slurm' ? 'slurm.pl' : 'queue.pl';
my $conf_name = $backend eq 'slurm' ? 'conf/slurm.conf' : 'conf/queue.conf';

my $usage = <<"EOF";
Usage: $prog [options] [JOB=1:N] <log-file> <command> [<args>...]
 e.g.: $prog --mem 4G --num-threads 2 JOB=1:4 exp/log/foo.JOB.log echo job JOB
Submits each job to the cluster, waits for all of them; logs in run.pl's format.
Options:
  --config <file>      option mapping (default: $conf_name if present, else built in)
  --max-jobs-run <n>   at most n jobs submitted at a time (default: all)
  --mem <x>, --num-threads <n>, --gpu <n>, --time <t>, and any key named in the conf file
EOF

my %opts;           # key -> value from the command line
my $config = -f $conf_name ? $conf_name : '';
my $max_jobs_run = -1;
my $num_threads = 1;
while (@ARGV >= 2 && $ARGV[0] =~ m/^--([a-z][-_a-z0-9]*)(=(.*))?$/i) {
  my $name = $1;
  shift @ARGV;
  my $value = defined $2 ? $3 : shift @ARGV;
  $name =~ tr/-/_/;
  if ($name eq 'config') { $config = $value; next; }
  if ($name eq 'max_jobs_run') {
    die "$prog: bad --max-jobs-run '$value'\n" unless $value =~ m/^-?\d+$/;
    $max_jobs_run = $value;
    next;
  }
  $num_threads = $value if $name eq 'num_threads';
  $opts{$name} = $value;
}

# Reads the conf (text) into the submit command, exact and wildcard rules, and defaults.
my ($submit, %exact, %wild, %defaults);
{
  my $text;
  if ($config ne '') {
    open(my $fh, '<', $config) or die "$prog: cannot open config file $config: $!\n";
    local $/; $text = <$fh>; close $fh;
  } else {
    $text = $default_conf{$backend};
  }
  my $n = 0;
  for my $line (split /\n/, $text) {
    $n++;
    $line =~ s/#.*//;
    next if $line =~ m/^\s*$/;
    if ($line =~ m/^\s*command\s+(.*\S)\s*$/) { $submit = $1; }
    elsif ($line =~ m/^\s*option\s+(\w+)=\*\s*(.*?)\s*$/) { $wild{$1} = $2; }
    elsif ($line =~ m/^\s*option\s+(\w+)=(\S+)\s*(.*?)\s*$/) { $exact{"$1=$2"} = $3; }
    elsif ($line =~ m/^\s*default\s+(\w+)=(\S+)\s*$/) { $defaults{$1} = $2; }
    else { die "$prog: cannot parse line $n of " . ($config || 'the built-in config') . ": $line\n"; }
  }
  die "$prog: no 'command' line in " . ($config || 'the built-in config') . "\n" unless defined $submit;
}
my %all = (%defaults, %opts);
my @submit_opts;
for my $key (sort keys %all) {
  my $v = $all{$key};
  if (exists $exact{"$key=$v"}) { push @submit_opts, $exact{"$key=$v"} if $exact{"$key=$v"} ne ''; }
  elsif (exists $wild{$key}) { (my $o = $wild{$key}) =~ s/\$0/$v/g; push @submit_opts, $o; }
  else { die "$prog: option --$key=$v has no mapping in " . ($config || 'the built-in config') . "\n"; }
}
my $submit_cmd = join(' ', $submit, @submit_opts);

my ($jobvar, $first, $last) = (undef, 1, 1);
if (@ARGV > 0 && $ARGV[0] =~ m/^([A-Za-z_]\w*)=(\d+):(\d+)$/) {
  ($jobvar, $first, $last) = ($1, $2, $3); shift @ARGV;
  die "$prog: empty job range $jobvar=$first:$last\n" if $last < $first;
} elsif (@ARGV > 0 && $ARGV[0] =~ m/^([A-Za-z_]\w*)=(\d+)$/) {
  ($jobvar, $first, $last) = ($1, $2, $2); shift @ARGV;
}
if (@ARGV < 2) { print STDERR $usage; exit 1; }
my $logfile = shift @ARGV;

sub QuoteArg {
  my ($a) = @_;
  return $a if $a =~ m/^\S+$/;
  return "'$a'" unless $a =~ m/'/;
  (my $e = $a) =~ s/(["\\\$`])/\\$1/g;
  return "\"$e\"";
}
sub ShellQuote { my ($s) = @_; $s =~ s/'/'\\''/g; return "'$s'"; }
my $cmd = @ARGV == 1 ? $ARGV[0] : join(' ', map { QuoteArg($_) } @ARGV);
sub Subst { my ($s, $j) = @_; $s =~ s/\Q$jobvar\E/$j/g if defined $jobvar; return $s; }

my $cwd = getcwd();
my $qdir = dirname($logfile) . '/q';      # may contain JOB; substituted per job
my %job;                                    # j -> {log, marker, script, out, id, state}

sub WriteScript {
  my ($j) = @_;
  my $log = Subst($logfile, $j);
  my $d = Subst($qdir, $j);
  make_path($d) unless -d $d;
  make_path(dirname($log)) unless -d dirname($log);
  my $name = basename($log); $name =~ s/\.log$//;
  my $script = "$d/$name.sh";
  my $marker = "$d/done.$name";
  unlink $marker;
  my $c = Subst($cmd, $j);
  my $abslog = $log =~ m|^/| ? $log : "$cwd/$log";
  my $absmarker = $marker =~ m|^/| ? $marker : "$cwd/$marker";
  my $env = '';
  for my $v (qw(PATH LD_LIBRARY_PATH PYTHONPATH OMP_NUM_THREADS TDNAS_ROOT TDNAS_SHARED)) {
    $env .= "export $v=" . ShellQuote($ENV{$v}) . "\n" if defined $ENV{$v};
  }
  open(my $fh, '>', $script) or die "$prog: cannot write $script: $!\n";
  print $fh "#!/bin/bash\n# Written by $prog; job $j of $first:$last.\n";
  print $fh "cd " . ShellQuote($cwd) . " || exit 1\n$env";
  print $fh "[ -f ./path.sh ] && . ./path.sh\n";
  print $fh "log=" . ShellQuote($abslog) . "\n";
  print $fh "{ echo " . ShellQuote("# $c ") . "; echo \"# Started at \$(date)\"; echo '#'; } > \"\$log\"\n";
  print $fh "t0=\$(date +%s)\n";
  print $fh "( set -o pipefail; $c ) >> \"\$log\" 2>&1\n";
  print $fh "ret=\$?\nt1=\$(date +%s)\n";
  print $fh "echo \"# Accounting: time=\$((t1 - t0)) threads=$num_threads\" >> \"\$log\"\n";
  print $fh "echo \"# Ended (code \$ret) at \$(date), elapsed time \$((t1 - t0)) seconds\" >> \"\$log\"\n";
  print $fh "echo \$ret > " . ShellQuote("$absmarker.tmp") . " && mv " . ShellQuote("$absmarker.tmp") . " " .
      ShellQuote($absmarker) . "\n";
  print $fh "exit \$ret\n";
  close $fh;
  chmod 0755, $script;
  $job{$j} = { log => $log, marker => $marker, script => $script, out => "$d/$name.out", name => $name,
               state => 'new' };
}

sub Submit {
  my ($j) = @_;
  my $J = $job{$j};
  unlink $J->{out};
  my $full = $backend eq 'slurm'
      ? "$submit_cmd --job-name=" . ShellQuote($J->{name}) . " --output=" . ShellQuote($J->{out}) . " " . ShellQuote($J->{script})
      : "$submit_cmd -N " . ShellQuote("j$J->{name}") . " -o " . ShellQuote($J->{out}) . " " . ShellQuote($J->{script});
  my $out = `$full 2>&1`;
  my ($id) = $backend eq 'slurm' ? ($out =~ m/Submitted batch job (\d+)/) : ($out =~ m/Your job(?:-array)? (\d+)/);
  ($id) = ($out =~ m/^\s*(\d+)/) unless defined $id;   # sbatch --parsable / qsub -terse
  if ($? != 0 || !defined $id) {
    die "$prog: submitting job $j failed (exit " . ($? >> 8) . "): $full\n$out";
  }
  $J->{id} = $id;
  $J->{state} = 'submitted';
  $J->{gone_since} = 0;
}

# True while the scheduler still knows the job as pending or running.
sub InQueue {
  my ($id) = @_;
  if ($backend eq 'slurm') {
    my $s = `squeue -h -j $id -o %T 2>/dev/null`;
    return 0 if $? != 0;
    $s =~ s/\s+//g;
    return $s ne '' && $s !~ m/^(COMPLETED|FAILED|CANCELLED|TIMEOUT|OUT_OF_MEMORY|NODE_FAIL|BOOT_FAIL|PREEMPTED|DEADLINE)/;
  }
  system("qstat -j $id >/dev/null 2>&1");
  return $? == 0;
}

sub CancelAll {
  my @ids = map { $_->{id} } grep { $_->{state} eq 'submitted' } values %job;
  return unless @ids;
  system(($backend eq 'slurm' ? 'scancel' : 'qdel') . ' ' . join(' ', @ids) . ' >/dev/null 2>&1');
}
$SIG{INT} = $SIG{TERM} = sub { CancelAll(); die "$prog: interrupted; cancelled the submitted jobs\n"; };

WriteScript($_) for $first .. $last;
my @todo = ($first .. $last);
my ($running, $done) = (0, 0);
my $njobs = $last - $first + 1;
my $sleep = 0.1;
my $last_check = time();
# Seconds a job may be gone from the queue before its marker must have shown up (shared file systems).
my $lost_wait = defined $ENV{GRID_RUN_LOST_WAIT} ? $ENV{GRID_RUN_LOST_WAIT} : 10;
my @failed;
while ($done < $njobs) {
  while (@todo && ($max_jobs_run <= 0 || $running < $max_jobs_run)) { Submit(shift @todo); $running++; }
  select(undef, undef, undef, $sleep);
  $sleep = $sleep * 1.5 > 2 ? 2 : $sleep * 1.5;
  my $check = time() - $last_check >= 2;
  $last_check = time() if $check;
  for my $j (sort { $a <=> $b } keys %job) {
    my $J = $job{$j};
    next unless $J->{state} eq 'submitted';
    my $code;
    if (-f $J->{marker}) {
      open(my $fh, '<', $J->{marker}); $code = <$fh>; close $fh;
      chomp $code if defined $code;
      $code = 1 unless defined $code && $code =~ m/^\d+$/;
    } elsif ($check && !InQueue($J->{id})) {
      # Gone from the queue without a marker: give shared file systems $lost_wait s to show it, then fail.
      $J->{gone_since} ||= time();
      if (time() - $J->{gone_since} >= $lost_wait) {
        $code = 'lost';
        if (open(my $fh, '>>', $J->{log})) {
          print $fh "# $prog: job $J->{id} left the queue without an exit status; see $J->{out}\n";
          close $fh;
        }
      }
    }
    next unless defined $code;
    $J->{state} = 'done';
    $running--; $done++;
    push @failed, $j if $code ne '0';
  }
}

if (@failed) {
  @failed = sort { $a <=> $b } @failed;
  if ($njobs == 1) {
    print STDERR "$prog: job failed, log is in $job{$failed[0]}{log}\n";
  } else {
    printf STDERR "$prog: %d / %d failed, log is in %s\n", scalar(@failed), $njobs,
        join(' ', map { $job{$_}{log} } @failed);
  }
  exit 1;
}
exit 0;
