# Compiler, flags and dependency detection. Included by the top-level Makefile.
CXX ?= g++
NVCC ?= nvcc
SANITIZE ?= 0
DEBUG ?= 0

ifeq ($(SANITIZE),1)
  BUILD ?= build-asan
  # Sanitized binaries live in the build tree so they never replace the normal bin/.
  BINDIR ?= $(BUILD)/bin
  SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
  BUILD ?= build
  BINDIR ?= bin
  SAN_FLAGS :=
endif

ifeq ($(DEBUG),1)
  OPT_FLAGS := -O0 -g
else
  # -O2 with asserts kept on (no -DNDEBUG): cheap invariants stay checked in release builds.
  OPT_FLAGS := -O2 -g1
endif

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.1)
CXXFLAGS += -std=c++17 -Wall -Wextra -Wno-unused-parameter -pthread $(OPT_FLAGS) $(SAN_FLAGS) \
            -Isrc -DTDNAS_VERSION='"$(VERSION)"' -march=x86-64-v2 -mtune=generic
# --as-needed: a binary that calls no BLAS (compute-fbank) does not load OpenBLAS, whose
# pthread build starts a spinning thread pool per process at load time.
LDFLAGS += -pthread $(SAN_FLAGS) -Wl,--as-needed
LDLIBS += -lboost_program_options -lsndfile -lopenblas -lm

GTEST_CFLAGS :=
GTEST_LIBS := -lgtest -lgtest_main

# CUDA: on when nvcc and cuBLAS are found, unless CUDA=0.
CUDA_HOME ?= $(patsubst %/bin/nvcc,%,$(shell command -v $(NVCC) 2>/dev/null || ls /usr/local/cuda/bin/nvcc 2>/dev/null))
ifeq ($(origin CUDA),undefined)
  ifneq ($(wildcard $(CUDA_HOME)/include/cublas_v2.h),)
    CUDA := 1
  else
    CUDA := 0
  endif
endif
# NCCL (multi-GPU training): on in CUDA builds when nccl.h is found (CUDA toolkits from NVIDIA
# ship it; Debian's nvidia-cuda-toolkit needs libnccl-dev), unless NCCL=0. Without it the
# single-GPU path is complete and a multi-rank launch is an ERROR naming the missing NCCL.
ifeq ($(CUDA),1)
  ifeq ($(origin NCCL),undefined)
    NCCL := $(if $(wildcard $(CUDA_HOME)/include/nccl.h /usr/include/nccl.h),1,0)
  endif
else
  NCCL := 0
endif
