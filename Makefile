# tdnas top-level Makefile: plain GNU make, no generator step.
#   make            build every library and binary (binaries land in bin/)
#   make test       build and run all tests (prints PASS/FAIL per test with its time)
#   make bench      run benchmarks (results go to docs/benchmarks.md by hand)
#   make clean      remove build outputs
# Switches: CUDA=0|1 (default: 1 when nvcc and cuBLAS are found), SANITIZE=1 (ASan+UBSan),
#           DEBUG=1 (-O0 -g), BUILD=dir (separate build tree, default build/ or build-asan/).
# Why plain make: the tree is one directory per library layer and one .cc per binary, so a
# few pattern rules cover everything; modules and binaries are discovered by wildcard, so
# adding a file never means editing build rules.

include mk/config.mk

MODULES := base matrix util feat nnet sv nas
BIN_DIRS := featbin nnetbin svbin bin
# Link order: higher layers first (static libraries).
LINK_MODULES := nas sv nnet feat util matrix base

lib_srcs = $(filter-out %-test.cc,$(wildcard src/$(1)/*.cc))
lib_objs = $(patsubst src/%.cc,$(BUILD)/obj/%.o,$(call lib_srcs,$(1)))
LIBS := $(foreach m,$(MODULES),$(BUILD)/lib/libtdnas-$(m).a)
LINK_LIBS := $(foreach m,$(LINK_MODULES),$(BUILD)/lib/libtdnas-$(m).a)

BIN_SRCS := $(foreach d,$(BIN_DIRS),$(wildcard src/$(d)/*.cc))
BIN_NAMES := $(notdir $(basename $(BIN_SRCS)))
BINS := $(addprefix $(BINDIR)/,$(BIN_NAMES))

.PHONY: all libs test bench clean check-prereqs fuzz
# Keep test objects (pattern-rule intermediates) between runs.
.SECONDARY:
ALIASES := $(if $(filter compute-fbank,$(BIN_NAMES)),$(BINDIR)/compute-fbank-feats,)
all: $(BINS) $(ALIASES)

libs: $(LIBS)

# One static library per layer.
define LIB_RULE
$(BUILD)/lib/libtdnas-$(1).a: $(call lib_objs,$(1))
	@mkdir -p $$(dir $$@)
	@rm -f $$@
	$$(AR) rcs $$@ $$^
endef
$(foreach m,$(MODULES),$(eval $(call LIB_RULE,$(m))))

$(BUILD)/obj/%.o: src/%.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/obj/%.o: tests/%.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(GTEST_CFLAGS) -MMD -MP -c $< -o $@

include mk/gpu.mk

# Binaries: one .cc each, linked against all layer libraries (static, so only what is used).
define BIN_RULE
$(BINDIR)/$(notdir $(basename $(1))): $(patsubst src/%.cc,$(BUILD)/obj/%.o,$(1)) $(LINK_LIBS) $(GPU_LIB)
	@mkdir -p $(BINDIR)
	$$(CXX) $$(LDFLAGS) -o $$@ $$< -Wl,--start-group $(LINK_LIBS) $(GPU_LIB) -Wl,--end-group $$(LDLIBS)
endef
$(foreach s,$(BIN_SRCS),$(eval $(call BIN_RULE,$(s))))

# Kaldi users type compute-fbank-feats; give them the same program under that name.
$(BINDIR)/compute-fbank-feats: $(BINDIR)/compute-fbank
	ln -sf compute-fbank $@

include mk/tests.mk
-include mk/fuzz.mk

clean:
	rm -rf build build-asan build-* bin/*

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
