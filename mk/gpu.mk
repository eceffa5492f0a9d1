# The src/gpu seam: built only when CUDA=1. The rest of the code calls it through
# src/gpu/gpu-api.h; with CUDA=0 the stub (gpu-stub.cc) answers "no GPU" and nothing
# links against CUDA.
GPU_CU_SRCS := $(wildcard src/gpu/*.cu)
# *-stub.cc answer for CUDA=0 builds; nccl-rendezvous.cc is plain C++ and built in both.
GPU_STUB_SRCS := src/gpu/gpu-stub.cc src/gpu/nccl-stub.cc
GPU_CC_SRCS := $(filter-out $(GPU_STUB_SRCS),$(wildcard src/gpu/*.cc))
ifeq ($(CUDA),1)
  ifeq ($(NCCL),1)
    NCCL_LIB := -lnccl
  else
    # CUDA without NCCL: the communicator is the stub's (an ERROR if several ranks start).
    GPU_CU_SRCS := $(filter-out src/gpu/nccl-comm.cu,$(GPU_CU_SRCS))
    GPU_CC_SRCS += src/gpu/nccl-stub.cc
  endif
  GPU_OBJS := $(patsubst src/%.cu,$(BUILD)/obj/%.cu.o,$(GPU_CU_SRCS)) \
              $(patsubst src/%.cc,$(BUILD)/obj/%.o,$(GPU_CC_SRCS))
  CXXFLAGS += -DTDNAS_HAVE_CUDA=1 -I$(CUDA_HOME)/include
  LDLIBS += -L$(CUDA_HOME)/lib64 -Wl,-rpath,$(CUDA_HOME)/lib64 $(NCCL_LIB) -lcublasLt -lcublas -lcudart
  NVCCFLAGS ?= -O2 -std=c++17 -Isrc -arch=sm_90 -Xcompiler -fPIC,-pthread
else
  GPU_OBJS := $(patsubst src/%.cc,$(BUILD)/obj/%.o,$(GPU_STUB_SRCS) src/gpu/nccl-rendezvous.cc)
endif
GPU_LIB := $(BUILD)/lib/libtdnas-gpu.a

$(GPU_LIB): $(GPU_OBJS)
	@mkdir -p $(dir $@)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/obj/%.cu.o: src/%.cu
	@mkdir -p $(dir $@)
	$(NVCC) $(NVCCFLAGS) -MMD -MP -c $< -o $@
