#!/usr/bin/env perl
# slurm.pl: run.pl's command line, each job submitted with sbatch (Slurm); options mapped through
# conf/slurm.conf. See lib/grid-run.pl for the conf format and how jobs are tracked.
#   slurm.pl [--mem 4G] [--num-threads N] [--gpu N] [--max-jobs-run N] [--config conf] JOB=1:N log/foo.JOB.log cmd args...
use strict;
use warnings;
use FindBin;
exec($^X, "$FindBin::RealBin/lib/grid-run.pl", "--backend=slurm", @ARGV) or die "slurm.pl: cannot run grid-run.pl: $!\n";
