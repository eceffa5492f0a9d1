# libFuzzer target for the archive reader (tests/fuzz/archive-reader-fuzz.cc).
#   make fuzz                  build with clang (ASan + UBSan + libFuzzer) and fuzz for FUZZ_TIME
#                              seconds, seeded with testdata/kaldi-archives; exits non-zero on a
#                              finding (the crashing input is left in $(FUZZ_BUILD)/)
#   make fuzz FUZZ_TIME=600    a longer run
# Sources of the layers the reader needs (base, matrix, util) are compiled again with clang
# into their own tree, so this never touches the g++ build.
FUZZ_CXX ?= clang++
FUZZ_BUILD ?= build-fuzz
FUZZ_TIME ?= 30
TDNAS_SHARED ?= $(CURDIR)/../shared
FUZZ_SEEDS := $(TDNAS_SHARED)/testdata/kaldi-archives
FUZZ_CXXFLAGS := -std=c++17 -O1 -g -pthread -Isrc -DTDNAS_VERSION='"$(VERSION)"' \
  -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_SRCS := $(filter-out %-test.cc,$(wildcard src/base/*.cc src/matrix/*.cc src/util/*.cc))
FUZZ_OBJS := $(patsubst src/%.cc,$(FUZZ_BUILD)/obj/%.o,$(FUZZ_SRCS))
FUZZ_BIN := $(FUZZ_BUILD)/archive-reader-fuzz

$(FUZZ_BUILD)/obj/%.o: src/%.cc
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_BIN): tests/fuzz/archive-reader-fuzz.cc $(FUZZ_OBJS)
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJS) \
	  -lboost_program_options -lopenblas -lm

fuzz: $(FUZZ_BIN)
	@rm -rf $(FUZZ_BUILD)/corpus && mkdir -p $(FUZZ_BUILD)/corpus
	cd $(FUZZ_BUILD) && ./archive-reader-fuzz -max_total_time=$(FUZZ_TIME) -timeout=10 \
	  -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 corpus $(abspath $(FUZZ_SEEDS))

-include $(shell find $(FUZZ_BUILD)/obj -name '*.d' 2>/dev/null)
