# mk/oci.mk: the OCI client's tests and benchmark.
#   tests/oci/run       the suite: a real docker-registry on 127.0.0.1, skopeo as
#                       the independent client (see tests/oci/run for the list)
#   oci-test            unit checks of the parsers, and `run REF` resolution
#                       (with the command's option tables, src/cli/opt*.c)
#   tests/oci/bench.sh  `run REF` from a local registry vs `run FILE`

OCI_TEST := $(BUILD)/tests/oci/oci-test

TEST_SUITES += oci
TEST_DEPS   += $(OCI_TEST)
BENCH_DEPS  += $(OCI_TEST)
BENCH_RUN   += tests/oci/bench.sh
# BENCH_RUN entries are single words: the build directory goes by environment
bench: export WASM_BPF_BUILD = $(abspath $(BUILD))

# It parses `run`'s module options with the command's own tables (src/cli),
# and shows errors and progress the command's way (src/cli/oci_report.c), so
# that `oci-test resolve` prints what `wasm-bpf run` would.
OCI_TEST_CLI_OBJS := $(BUILD)/obj/src/cli/opt.o $(BUILD)/obj/src/cli/opt_oci.o $(BUILD)/obj/src/cli/oci_report.o
$(OCI_TEST): tests/oci/oci_test.c $(OCI_TEST_CLI_OBJS) $(LIB_INTERNAL)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -Isrc/oci -Isrc/cli -o $@ $< $(OCI_TEST_CLI_OBJS) $(LIB_INTERNAL) $(LDLIBS_ALL)

-include $(OCI_TEST).d

# libFuzzer target for the parsers of untrusted input (make fuzz)
OCI_FUZZ := build-fuzz/oci_fuzz
OCI_SRCS := $(wildcard src/oci/*.c)
$(OCI_FUZZ): tests/oci/fuzz_oci.c $(OCI_SRCS) $(wildcard src/base/*.c) $(wildcard src/oci/*.h) include/oci.h
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)clang -std=gnu11 -D_GNU_SOURCE -Iinclude -Isrc/oci -O1 -g \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    -o $@ $< $(OCI_SRCS) $(wildcard src/base/*.c) -lcurl -lcrypto -ljansson -lbpf
FUZZ_DEPS += $(OCI_FUZZ)
