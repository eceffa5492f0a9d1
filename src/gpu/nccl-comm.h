// nccl-comm.h: the NCCL communicator of a data-parallel job, one process per GPU.
//
// Construction is collective: rank 0 makes NCCL's unique id and writes it to the rendezvous
// file (nccl-rendezvous.h), the other ranks read it, and every rank joins with a
// NON-BLOCKING communicator (ncclCommInitRankConfig, blocking = 0). Every operation then runs on
// the backend's stream and is waited for by polling the stream and ncclCommGetAsyncError with a
// deadline (timeout_s, the binaries' --sync-timeout): a peer that died or hangs ends this
// process with an ERROR naming the operation (the communicator is aborted first, so no kernel
// is left spinning), never with a hang.
//
// The backend must be initialised on this process's GPU first (SelectDevice("yes")). Every
// NCCL call is checked. In CUDA=0 builds (nccl-stub.cc) the constructor fails with
// "built without CUDA/NCCL".
#ifndef TDNAS_GPU_NCCL_COMM_H_
#define TDNAS_GPU_NCCL_COMM_H_

#include <cstdint>
#include <string>

namespace tdnas {
namespace gpu {

// True when this binary was built with CUDA and NCCL.
bool CompiledWithNccl();

class NcclComm {
 public:
  // rendezvous_file: the exact file (see RendezvousFile()); key: RendezvousKey().
  NcclComm(int rank, int world, const std::string &rendezvous_file, const std::string &key,
           double timeout_s);
  ~NcclComm();
  NcclComm(const NcclComm &) = delete;
  NcclComm &operator=(const NcclComm &) = delete;

  int Rank() const { return rank_; }
  int World() const { return world_; }
  double TimeoutSeconds() const { return timeout_s_; }

  // In place on device memory, after the work already queued on the backend stream; returns
  // when the result is complete.
  // Sum over ranks, then multiplied by 1/world: every rank ends with the same bits.
  void AllReduceMean(float *device_data, int64_t n);
  void AllReduceSum(float *device_data, int64_t n);
  // Rank `root`'s values to every rank.
  void Broadcast(float *device_data, int64_t n, int root = 0);
  // Returns when every rank has reached it (a one-float all-reduce).
  void Barrier();

 private:
  struct Impl;
  Impl *impl_ = nullptr;
  int rank_ = 0, world_ = 1;
  double timeout_s_ = 300;
};

}  // namespace gpu
}  // namespace tdnas

#endif  // TDNAS_GPU_NCCL_COMM_H_
