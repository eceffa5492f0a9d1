// nccl-stub.cc: NcclComm in CPU-only builds (make CUDA=0): there is no NCCL; constructing a
// communicator is an ERROR that says so.
#include "gpu/nccl-comm.h"

#include "base/log.h"

namespace tdnas {
namespace gpu {

bool CompiledWithNccl() { return false; }

NcclComm::NcclComm(int rank, int world, const std::string &, const std::string &, double) {
  TD_ERR << "rank " << rank << " of " << world << ": multi-GPU training needs NCCL, but this "
         << "binary was built without CUDA/NCCL (make CUDA=0); rebuild with CUDA (make CUDA=1)";
}
NcclComm::~NcclComm() {}
void NcclComm::AllReduceMean(float *, int64_t) { TD_ERR << "built without CUDA/NCCL"; }
void NcclComm::AllReduceSum(float *, int64_t) { TD_ERR << "built without CUDA/NCCL"; }
void NcclComm::Broadcast(float *, int64_t, int) { TD_ERR << "built without CUDA/NCCL"; }
void NcclComm::Barrier() { TD_ERR << "built without CUDA/NCCL"; }

}  // namespace gpu
}  // namespace tdnas
