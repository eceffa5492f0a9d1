// nccl-stub.cc: NcclComm in builds without NCCL (make CUDA=0, or CUDA with NCCL=0 when nccl.h
// is missing): constructing a communicator is an ERROR that says so.
#include "gpu/nccl-comm.h"

#include "base/log.h"

namespace tdnas {
namespace gpu {

bool CompiledWithNccl() { return false; }

NcclComm::NcclComm(int rank, int world, const std::string &, const std::string &, double) {
  TD_ERR << "rank " << rank << " of " << world << ": multi-GPU training needs NCCL, but this "
         << "binary was built without NCCL (make CUDA=0, or NCCL=0: nccl.h not found); rebuild "
         << "with CUDA and NCCL (make CUDA=1 NCCL=1)";
}
NcclComm::~NcclComm() {}
void NcclComm::AllReduceMean(float *, int64_t) { TD_ERR << "built without NCCL"; }
void NcclComm::AllReduceSum(float *, int64_t) { TD_ERR << "built without NCCL"; }
void NcclComm::Broadcast(float *, int64_t, int) { TD_ERR << "built without NCCL"; }
void NcclComm::Barrier() { TD_ERR << "built without NCCL"; }

}  // namespace gpu
}  // namespace tdnas
