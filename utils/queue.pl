#!/usr/bin/env perl
# queue.pl: run.pl's command line, each job submitted with qsub (Grid Engine); options mapped through
# conf/queue.conf. See lib/grid-run.pl for the conf format and how jobs are tracked.
#   queue.pl [--mem 4G] [--num-threads N] [--gpu N] [--max-jobs-run N] [--config conf] JOB=1:N log/foo.JOB.log cmd args...
use strict;
use warnings;
use FindBin;
exec($^X, "$FindBin::RealBin/lib/grid-run.pl", "--backend=sge", @ARGV) or die "queue.pl: cannot run grid-run.pl: $!\n";
