# cmd.sh: how jobs are run. Local machine by default; on a cluster use e.g.
#   export train_cmd="slurm.pl --config conf/slurm.conf --mem 4G"
#   export train_cmd="queue.pl --config conf/queue.conf --mem 4G"
export train_cmd="run.pl"
export cuda_cmd="run.pl --gpu 1"
