# cmd.sh: how jobs are run. Local machine by default; on a cluster use e.g.
#   export train_cmd="slurm.pl --config conf/slurm.conf --mem 4G"
#   export cuda_cmd="slurm.pl --config conf/slurm.conf --mem 32G --gpu 1"
#   export train_cmd="queue.pl --config conf/queue.conf --mem 4G"
# Feature jobs (JOB=1:$nj) each keep one uncompressed 81-column archive of their part until it is
# reduced to voiced frames: with a large --nj, limit how many run at once, e.g.
#   export train_cmd="run.pl --max-jobs-run 8"
export train_cmd="run.pl"
export cuda_cmd="run.pl --gpu 1"
