// kernels-cpu-slice.cc: the supernet <-> subnet slice copies (nnet/kernels.h SlicePlan) on the
// CPU: gather with the kernel transforms, its transpose, and the BN-statistics write-back.
#include "nnet/kernels-cpu.h"

#include <algorithm>

namespace tdnas {
namespace nnet {

namespace {

// Kernel transform of one (out, in) kernel vector w (length ks) to length kd.
void Transform(const float *w, int ks, int kd, const float *k53, const float *k31, float *t) {
  if (ks == kd) { std::copy(w, w + ks, t); return; }
  TD_ASSERT(ks == 5 && (kd == 3 || kd == 1));
  float w3[3];
  for (int b = 0; b < 3; b++) {
    float s = 0.0f;
    for (int a = 0; a < 3; a++) s += w[1 + a] * k53[a * 3 + b];
    w3[b] = s;
  }
  if (kd == 3) { std::copy(w3, w3 + 3, t); return; }
  t[0] = w3[1] * k31[0];
}

// Transpose of Transform: dw += J^T dt, dk53 += ..., dk31 += ...
void TransformBackward(const float *w, int ks, int kd, const float *k53, const float *k31,
                       const float *dt, float *dw, double *dk53, double *dk31) {
  if (ks == kd) { for (int k = 0; k < ks; k++) dw[k] += dt[k]; return; }
  float dw3[3] = {0.0f, 0.0f, 0.0f};
  if (kd == 3) {
    std::copy(dt, dt + 3, dw3);
  } else {
    float w3c = 0.0f;   // W3's centre tap
    for (int a = 0; a < 3; a++) w3c += w[1 + a] * k53[a * 3 + 1];
    dw3[1] = dt[0] * k31[0];
    dk31[0] += static_cast<double>(w3c) * dt[0];
  }
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++) {
      dw[1 + a] += dw3[b] * k53[a * 3 + b];
      dk53[a * 3 + b] += static_cast<double>(w[1 + a]) * dw3[b];
    }
}

void CheckCpuFlat(const Tensor &t) {
  TD_ASSERT(t.device == Device::kCpu && t.data != nullptr && t.Contiguous());
}

}  // namespace

void CpuKernels::SliceGather(const SlicePlan &plan, const Tensor &super,
                             const Tensor &super_params, Tensor *sub) const {
  CheckCpuFlat(super);
  CheckCpuFlat(super_params);
  CheckCpuFlat(*sub);
  const int32_t *idx = plan.index.data();
  for (const SliceCopy &c : plan.copies) {
    const float *s = super.data + c.super;
    float *d = sub->data + c.sub;
    const int32_t *out = idx + c.out_idx, *in = idx + c.in_idx;
    const float *k53 = c.k53 >= 0 ? super_params.data + c.k53 : nullptr;
    const float *k31 = c.k31 >= 0 ? super_params.data + c.k31 : nullptr;
    for (int32_t o = 0; o < c.n_out; o++)
      for (int32_t i = 0; i < c.n_in; i++)
        Transform(s + (static_cast<int64_t>(out[o]) * c.super_in + in[i]) * c.k_super, c.k_super,
                  c.k_sub, k53, k31, d + (static_cast<int64_t>(o) * c.sub_in + i) * c.k_sub);
  }
}

void CpuKernels::SliceScatterAdd(const SlicePlan &plan, const Tensor &dsub,
                                 const Tensor &super_params, Tensor *dsuper) const {
  CheckCpuFlat(dsub);
  CheckCpuFlat(super_params);
  CheckCpuFlat(*dsuper);
  const int32_t *idx = plan.index.data();
  for (const SliceCopy &c : plan.copies) {
    const float *d = dsub.data + c.sub;
    const float *w = super_params.data + c.super;
    float *ds = dsuper->data + c.super;
    const int32_t *out = idx + c.out_idx, *in = idx + c.in_idx;
    const float *k53 = c.k53 >= 0 ? super_params.data + c.k53 : nullptr;
    const float *k31 = c.k31 >= 0 ? super_params.data + c.k31 : nullptr;
    double dk53[9] = {0}, dk31[1] = {0};
    for (int32_t o = 0; o < c.n_out; o++)
      for (int32_t i = 0; i < c.n_in; i++) {
        const int64_t so = (static_cast<int64_t>(out[o]) * c.super_in + in[i]) * c.k_super;
        TransformBackward(w + so, c.k_super, c.k_sub, k53, k31,
                          d + (static_cast<int64_t>(o) * c.sub_in + i) * c.k_sub, ds + so, dk53,
                          dk31);
      }
    if (c.k53 >= 0 && c.k_sub != c.k_super) {
      float *gk53 = dsuper->data + c.k53;
      for (int k = 0; k < 9; k++) gk53[k] += static_cast<float>(dk53[k]);
      if (c.k_sub == 1) dsuper->data[c.k31] += static_cast<float>(dk31[0]);
    }
  }
}

void CpuKernels::SliceScatter(const SlicePlan &plan, const Tensor &sub, Tensor *super) const {
  CheckCpuFlat(sub);
  CheckCpuFlat(*super);
  const int32_t *idx = plan.index.data();
  for (const SliceCopy &c : plan.copies) {
    TD_ASSERT(c.k_sub == c.k_super);
    const float *d = sub.data + c.sub;
    float *s = super->data + c.super;
    const int32_t *out = idx + c.out_idx, *in = idx + c.in_idx;
    for (int32_t o = 0; o < c.n_out; o++)
      for (int32_t i = 0; i < c.n_in; i++)
        std::copy(d + (static_cast<int64_t>(o) * c.sub_in + i) * c.k_sub,
                  d + (static_cast<int64_t>(o) * c.sub_in + i + 1) * c.k_sub,
                  s + (static_cast<int64_t>(out[o]) * c.super_in + in[i]) * c.k_super);
  }
}

}  // namespace nnet
}  // namespace tdnas
