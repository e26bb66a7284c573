# gen types (src/gen/types*.c): the gen-types test suite's fixtures, i.e. BPF
# objects compiled by clang from tests/gen-types/fixtures and mkbtf, which
# writes the raw BTF files clang 14 cannot produce (ENUM64, big-endian, bad).

GEN_TYPES_OUT := $(BUILD)/tests/gen-types
GEN_TYPES_OBJS := $(patsubst tests/gen-types/fixtures/%.bpf.c,$(GEN_TYPES_OUT)/%.bpf.o,\
                    $(wildcard tests/gen-types/fixtures/*.bpf.c))

$(GEN_TYPES_OUT)/%.bpf.o: tests/gen-types/fixtures/%.bpf.c tests/gen-types/fixtures/%.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  BPF     $<")
	$(Q)clang -g -O2 -target bpf -c $< -o $@

$(GEN_TYPES_OUT)/mkbtf: tests/gen-types/mkbtf.c tests/gen-types/fixtures/synthetic.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) -std=gnu11 -D_GNU_SOURCE $(CFLAGS_WARN) $(CFLAGS) -Itests/gen-types $< -o $@ -lbpf -lelf

TEST_SUITES += gen-types
TEST_DEPS   += $(GEN_TYPES_OBJS) $(GEN_TYPES_OUT)/mkbtf

# gen_types_btf() on an object's sections (.rodata, .bss), as the skeleton
# generator uses it
$(GEN_TYPES_OUT)/datasec: tests/gen-types/datasec.c $(LIB_INTERNAL)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -Isrc/gen $< -o $@ $(LIB_INTERNAL) $(LDLIBS_ALL)

TEST_DEPS   += $(GEN_TYPES_OUT)/datasec

# libFuzzer target over raw BTF (make fuzz; clang), e.g.
#   build-fuzz/fuzz_gen_types -max_total_time=300 CORPUS_DIR
FUZZ_BUILD ?= build-fuzz
GEN_TYPES_FUZZ_SRCS := tests/gen-types/fuzz_gen_types.c $(wildcard src/gen/types*.c) src/gen/btf_check.c src/gen/skeleton_args.c $(wildcard src/base/*.c)
$(FUZZ_BUILD)/fuzz_gen_types: $(GEN_TYPES_FUZZ_SRCS) include/gen.h src/gen/types_internal.h src/gen/gen_internal.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)clang -std=gnu11 -D_GNU_SOURCE -Iinclude -Isrc/gen $(CFLAGS_WARN) -O1 -g \
	    -fsanitize=fuzzer,address,undefined $(GEN_TYPES_FUZZ_SRCS) -o $@ -lbpf -lelf -lz

# the same over whole BPF objects for the skeleton generator, e.g.
#   build-fuzz/fuzz_gen_skeleton -max_total_time=300 CORPUS_DIR
# (seeds: the examples' and tests' *.bpf.o, the cycle-*.bpf.o of tests/bpf)
GEN_SKELETON_FUZZ_SRCS := tests/gen-types/fuzz_gen_skeleton.c $(wildcard src/gen/*.c) $(wildcard src/base/*.c)
$(FUZZ_BUILD)/fuzz_gen_skeleton: $(GEN_SKELETON_FUZZ_SRCS) include/gen.h src/gen/types_internal.h src/gen/gen_internal.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)clang -std=gnu11 -D_GNU_SOURCE -Iinclude -Isrc/gen $(CFLAGS_WARN) -O1 -g \
	    -fsanitize=fuzzer,address,undefined $(GEN_SKELETON_FUZZ_SRCS) -o $@ -lbpf -lelf -lz

FUZZ_DEPS   += $(FUZZ_BUILD)/fuzz_gen_types $(FUZZ_BUILD)/fuzz_gen_skeleton
