# Tests: every tests/<module>/*-test.cc becomes one GoogleTest binary build/tests/<module>/<name>,
# linked only against its module and the layers below it (so a module's tests build even
# while a higher layer is being changed). `make test` runs them all through
# tests/run-tests.sh (PASS/FAIL with time per test, non-zero exit on any failure), then the
# shell tests under tests/shell/ (binaries end to end).
DEPS_base := base
DEPS_matrix := matrix base
DEPS_util := util matrix base
DEPS_feat := feat util matrix base
DEPS_nnet := nnet feat util matrix base
DEPS_sv := sv util matrix base
DEPS_nas := nas sv nnet feat util matrix base
DEPS_gpu := nas sv nnet feat util matrix base

TEST_SRCS := $(wildcard tests/*/*-test.cc)
TEST_BINS := $(patsubst tests/%.cc,$(BUILD)/tests/%,$(TEST_SRCS))
SHELL_TESTS := $(sort $(wildcard tests/shell/*.sh))

define TEST_RULE
$(BUILD)/tests/$(1)/%: $(BUILD)/obj/$(1)/%.o $(foreach d,$(DEPS_$(1)),$(BUILD)/lib/libtdnas-$(d).a) $(GPU_LIB)
	@mkdir -p $$(dir $$@)
	$$(CXX) $$(LDFLAGS) -o $$@ $$< -Wl,--start-group $(foreach d,$(DEPS_$(1)),$(BUILD)/lib/libtdnas-$(d).a) $(GPU_LIB) -Wl,--end-group $$(LDLIBS) $$(GTEST_LIBS)
endef
$(foreach m,$(MODULES) gpu,$(eval $(call TEST_RULE,$(m))))

.PHONY: test test-unit
test: all $(TEST_BINS)
	@BUILD=$(BUILD) BINDIR=$(BINDIR) bash tests/run-tests.sh $(TEST_BINS) $(SHELL_TESTS)

# Unit tests only (no binaries needed): make test-unit; one module: make test-util, ...
test-unit: $(TEST_BINS)
	@BUILD=$(BUILD) BINDIR=$(BINDIR) bash tests/run-tests.sh $(TEST_BINS)

test-%:
	@$(MAKE) --no-print-directory $(filter $(BUILD)/tests/$*/%,$(TEST_BINS))
	@BUILD=$(BUILD) BINDIR=$(BINDIR) bash tests/run-tests.sh $(filter $(BUILD)/tests/$*/%,$(TEST_BINS))

bench: all
	@bash tests/bench/run-benchmarks.sh
