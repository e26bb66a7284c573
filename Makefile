# wasm-bpf: run eBPF programs packaged as WebAssembly modules.
#
#   make            build build/wasm-bpf, build/libwasm-bpf.a and the examples
#   make run        install dependencies, build, run the bootstrap example
#   make test       install dependencies, build, run every test suite
#   make spec       the WebAssembly spec suite alone
#   make test-asan  the same suites under ASan + UBSan (clang)
#   make bench      benchmarks: ratios against native C, measured in one run
#   make fuzz       libFuzzer targets (clang)
#   make test-kernels  the examples on Debian kernels under qemu and on this one (not in make test)
#
# Parts add their own targets in mk/*.mk (tests, examples, benchmarks), so this
# file only knows the library and the command.

BUILD    ?= build
OPT      ?= -O2
SANITIZE ?=
V        ?= 0
# a cross build names its binutils by prefix (mk/arm64.mk: aarch64-linux-gnu-)
CROSS_COMPILE ?=

CFLAGS_WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
               -Wno-unused-parameter
CFLAGS   ?= $(OPT) -g
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE -Iinclude -MMD -MP $(CFLAGS_WARN) $(CFLAGS) $(SAN_FLAGS)
LDLIBS_ALL := -lbpf -lelf -lz -ljansson -lm -lpthread
# the command alone (run --metrics opens libmicrohttpd with dlopen)
CLI_LDLIBS := -ldl

ifeq ($(SANITIZE),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
endif

ifeq ($(V),0)
Q := @
else
Q :=
endif

LIB_PARTS := base wasm wasi bpf oci gen
LIB_SRCS  := $(foreach p,$(LIB_PARTS),$(wildcard src/$(p)/*.c))
CLI_SRCS  := $(wildcard src/cli/*.c)
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
CLI_OBJS  := $(CLI_SRCS:%.c=$(BUILD)/obj/%.o)
LIB       := $(BUILD)/libwasm-bpf.a
LIB_INTERNAL := $(BUILD)/libwasm-bpf-internal.a
BIN       := $(BUILD)/wasm-bpf

# Filled in by mk/*.mk
ALL         :=
TEST_SUITES :=
TEST_DEPS   :=
SPEC_SUITES :=
BENCH_DEPS  :=
BENCH_RUN   :=
FUZZ_DEPS   :=
RUN_CMD     := $(BIN) --help

.PHONY: all deps run test test-build test-run spec test-asan bench bench-build fuzz clean format format-check
all: $(BIN) $(LIB)

include $(sort $(wildcard mk/*.mk))

all: $(ALL)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

# The library's namespace: everything is hidden unless a public header
# declares it (each include/*.h wraps its declarations in
# `#pragma GCC visibility push(default)`), and the archive holds one object,
# linked from the parts, in which hidden symbols are made local: an embedder
# sees only the names of the public headers, and can define its own
# read_file.  Tests that reach into a part's private header link
# $(LIB_INTERNAL), the same objects with nothing made local.
$(LIB_OBJS): ALL_CFLAGS += -fvisibility=hidden
$(LIB_OBJS) $(CLI_OBJS): Makefile   # flags live here: a change rebuilds

$(LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AR      $@")
	$(Q)$(CROSS_COMPILE)ld -r -o $(BUILD)/obj/libwasm-bpf.o $^
	$(Q)$(CROSS_COMPILE)objcopy --localize-hidden $(BUILD)/obj/libwasm-bpf.o
	$(Q)rm -f $@ && $(CROSS_COMPILE)ar rcs $@ $(BUILD)/obj/libwasm-bpf.o

$(LIB_INTERNAL): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && $(CROSS_COMPILE)ar rcs $@ $^

# tests/namespace/run compares the two archives.
TEST_SUITES += namespace
TEST_DEPS   += $(LIB_INTERNAL)
# The benchmarks' programs (native baselines too) are built, not run, by
# `make test`, so that a change elsewhere cannot break `make bench` silently.
TEST_DEPS   += $(BENCH_DEPS)

$(BIN): $(CLI_OBJS) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(CLI_OBJS) $(LIB) $(LDLIBS_ALL) $(CLI_LDLIBS)

deps:
	@scripts/install-deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	$(RUN_CMD)

# Tests: every suite is an executable tests/NAME/run that ends with the line
# "N passed, N failed[, N skipped]"; scripts/run-tests.sh adds them up.
test: deps
	@$(MAKE) --no-print-directory test-build
	@scripts/run-tests.sh $(BUILD) $(TEST_SUITES)

test-build: all $(TEST_DEPS)

spec: deps
	@$(MAKE) --no-print-directory all $(TEST_DEPS)
	@scripts/run-tests.sh $(BUILD) $(SPEC_SUITES)

test-asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan CC=clang SANITIZE=1 OPT=-O1 test-build
	@ASAN_OPTIONS=detect_leaks=1:allow_user_segv_handler=1:handle_segv=0:detect_stack_use_after_return=0 \
	 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	 scripts/run-tests.sh build-asan $(TEST_SUITES)

# BENCH_RUN lists scripts; each is run with the build directory as argument.
bench: deps
	@$(MAKE) --no-print-directory bench-build
	@set -e; $(foreach b,$(BENCH_RUN),$(b) $(BUILD);)

bench-build: all $(BENCH_DEPS)

fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZ_DEPS)

# Layout (.clang-format): format-check lists what differs and fails if
# anything does; format rewrites the files in place (scripts/format.sh).
format:
	@scripts/format.sh

format-check:
	@scripts/format.sh --check

clean:
	rm -rf build build-asan build-fuzz

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d)
