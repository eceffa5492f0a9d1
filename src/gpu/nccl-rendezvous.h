// nccl-rendezvous.h: where a process sits in a one-process-per-GPU job, and the rendezvous
// through a file on a shared filesystem that hands NCCL's unique id from rank 0 to the others
// (so a Slurm cluster needs no extra service: rank 0 writes the file, the others poll for it).
//
// Plain C++ (no CUDA): built in CPU-only builds too, so its errors are tested everywhere.
//
// Rank and world size come from the launcher's environment, first match wins:
//   TDNAS_RANK / TDNAS_WORLD                   utils/launch_gpus.sh
//   SLURM_PROCID / SLURM_NTASKS                srun --ntasks=N --gpus-per-task=1 ...
//   OMPI_COMM_WORLD_RANK / OMPI_COMM_WORLD_SIZE   mpirun -np N ... (Open MPI)
//   PMI_RANK / PMI_SIZE                        mpirun (MPICH, Intel MPI)
// and none of them means a single process (rank 0 of 1).
//
// File format (text, written to <file>.tmp.<pid> and renamed into place, so a reader never sees
// half a file):
//   tdnas-nccl-rendezvous 1 world <N> key <job-key>
//   <hex of the id bytes>
// The job key (TDNAS_RENDEZVOUS_KEY from the launcher, else SLURM_JOB_ID.SLURM_STEP_ID, else
// empty) lets a reader skip a stale file left by an earlier job at the same path; a reader also
// checks that the world size matches its own.
#ifndef TDNAS_GPU_NCCL_RENDEZVOUS_H_
#define TDNAS_GPU_NCCL_RENDEZVOUS_H_

#include <string>
#include <vector>

namespace tdnas {
namespace gpu {

struct ProcessRank {
  int rank = 0, world = 1;
  std::string source = "none";   // which variables said so, e.g. "SLURM_PROCID/SLURM_NTASKS"
};

// Reads the environment (see the top of this file). ERROR on a malformed number, on a rank
// outside [0, world), or on a world size < 1.
ProcessRank RankFromEnvironment();

// This job's key (see above); "" when the environment gives none.
std::string RendezvousKey();

// The rendezvous file for `path`: `path` itself, or, when it names an existing directory (or
// ends in '/'), <path>/tdnas-nccl-id[.<key>]. Empty `path` means $TDNAS_RENDEZVOUS; ERROR when
// both are empty (the message says how to set one).
std::string RendezvousFile(const std::string &path);

// Rank 0: writes the id atomically (temp file + rename; ERROR naming the file on failure).
void WriteRendezvous(const std::string &file, int world, const std::string &key,
                     const std::vector<unsigned char> &id);

// Other ranks: polls for the file (every 50 ms) until it exists with our key and world size,
// then returns its id bytes (expected_bytes of them). ERROR naming the file when timeout_s
// passes first, or when a file with our key has another world size or is malformed.
std::vector<unsigned char> ReadRendezvous(const std::string &file, int world,
                                          const std::string &key, size_t expected_bytes,
                                          double timeout_s, int rank);

}  // namespace gpu
}  // namespace tdnas

#endif  // TDNAS_GPU_NCCL_RENDEZVOUS_H_
