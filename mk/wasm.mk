# The WebAssembly engine: spec suite, unit tests, benchmarks, fuzzers.

SPEC_RUNNER := $(BUILD)/tests/spec_runner

$(SPEC_RUNNER): tests/spec/spec_runner.c $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(LDLIBS_ALL)

TEST_DEPS   += $(SPEC_RUNNER)
TEST_SUITES += spec
SPEC_SUITES += spec

WASM_INVOKE := $(BUILD)/tests/wasm_invoke
$(WASM_INVOKE): tests/engine/wasm_invoke.c $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(LDLIBS_ALL)
TEST_DEPS += $(WASM_INVOKE)

WASM_DUMP := $(BUILD)/tests/wasm_dump
$(WASM_DUMP): tests/engine/wasm_dump.c $(LIB_INTERNAL)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_INTERNAL) $(LDLIBS_ALL)
TEST_DEPS += $(WASM_DUMP)

# ---- benchmarks ----
# The kernels' common harness (bench_main.h, nolibc.c, hello.c) and most
# kernels live in ../shared/bench/kernels next to the repository; without
# it there are none to build, and bench/engine.sh says so.
SHARED_KERNELS := ../shared/bench/kernels
BENCH_KERNELS := $(if $(wildcard $(SHARED_KERNELS)/bench_main.h),fib sieve crc32 sha256 matmul qsort coremix)
BENCH_SRC = $(firstword $(wildcard bench/kernels/$(1).c $(SHARED_KERNELS)/$(1).c))
WASM_CC := clang --target=wasm32-wasi

define bench_kernel
$(BUILD)/bench/native/$(1): $(call BENCH_SRC,$(1))
	@mkdir -p $$(dir $$@)
	$(Q)gcc -O2 -I$(SHARED_KERNELS) -o $$@ $$<
$(BUILD)/bench/wasm/$(1).wasm: $(call BENCH_SRC,$(1))
	@mkdir -p $$(dir $$@)
	$(Q)$(WASM_CC) -O2 -I$(SHARED_KERNELS) -o $$@ $$<
BENCH_DEPS += $(BUILD)/bench/native/$(1) $(BUILD)/bench/wasm/$(1).wasm
endef
define bench_nolibc
$(BUILD)/bench/nolibc/$(1).wasm: $(call BENCH_SRC,$(1))
	@mkdir -p $$(dir $$@)
	$(Q)$(WASM_CC) -O2 -DNO_MAIN -nostdlib -Wl,--no-entry -Wl,--export=bench_run \
	    -I$(SHARED_KERNELS) -o $$@ $$< $(SHARED_KERNELS)/nolibc.c
BENCH_DEPS += $(BUILD)/bench/nolibc/$(1).wasm
endef
$(foreach k,$(BENCH_KERNELS) $(if $(BENCH_KERNELS),hello),$(eval $(call bench_kernel,$(k))))
$(foreach k,$(BENCH_KERNELS),$(eval $(call bench_nolibc,$(k))))

$(BUILD)/bench/big.c: bench/gen_big.py
	@mkdir -p $(dir $@)
	$(Q)python3 $< > $@
$(BUILD)/bench/wasm/big.wasm: $(BUILD)/bench/big.c
	$(Q)$(WASM_CC) -O2 -o $@ $<
$(BUILD)/tests/load_bench: bench/load_bench.c $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(LDLIBS_ALL)

BENCH_DEPS += $(BUILD)/bench/wasm/big.wasm $(BUILD)/tests/load_bench $(WASM_INVOKE)
BENCH_RUN += bench/engine.sh

# ---- engine unit tests ----
$(BUILD)/tests/api.wasm: tests/engine/api.wat
	@mkdir -p $(dir $@)
	$(Q)wat2wasm $< -o $@
$(BUILD)/tests/engine_test: tests/engine/engine_test.c $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(LDLIBS_ALL)
# valid modules over the engine's limits (70000 lines of text), and the type
# bomb (valid, within the limits, loads in linear time), generated
LIMIT_MODULES := $(addprefix $(BUILD)/tests/limits/,deep_stack.wasm code_bomb.wasm type_bomb.wasm type_bomb_quarter.wasm)
$(LIMIT_MODULES) &: tests/engine/gen_limits.py tests/lib/wasmbin.py
	@mkdir -p $(dir $@)
	$(Q)python3 $< $(BUILD)/tests/limits
	$(Q)wat2wasm $(BUILD)/tests/limits/deep_stack.wat -o $(BUILD)/tests/limits/deep_stack.wasm
	$(Q)wat2wasm $(BUILD)/tests/limits/code_bomb.wat -o $(BUILD)/tests/limits/code_bomb.wasm
TEST_DEPS += $(BUILD)/tests/api.wasm $(BUILD)/tests/engine_test $(LIMIT_MODULES)
BENCH_DEPS += $(BUILD)/tests/limits/type_bomb.wasm
TEST_SUITES += engine

# ---- fuzzers (make fuzz; run with FUZZ_SECONDS=N make fuzz-run) ----
FUZZ_BUILD := build-fuzz
FUZZ_CFLAGS := -std=gnu11 -D_GNU_SOURCE -Iinclude -O1 -g -DWASM_ENGINE_FUEL \
               -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
ENGINE_SRCS := $(wildcard src/wasm/*.c)

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_imports.h $(ENGINE_SRCS) $(wildcard src/wasm/*.h) include/wasm_engine.h
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)clang $(FUZZ_CFLAGS) -o $@ $< $(ENGINE_SRCS) -lm -lpthread

FUZZ_DEPS += $(FUZZ_BUILD)/fuzz_load $(FUZZ_BUILD)/fuzz_run $(FUZZ_BUILD)/fuzz_diff

# a seed corpus from the spec suite and the benchmarks' modules
.PHONY: fuzz-run
fuzz-run: fuzz
	@mkdir -p $(FUZZ_BUILD)/corpus
	@cp -n $(BUILD)/spec/*.wasm $(BUILD)/bench/wasm/*.wasm $(BUILD)/tests/*.wasm $(FUZZ_BUILD)/corpus/ 2>/dev/null || true
	@for t in load run diff; do \
	    echo "== fuzz_$$t for $${FUZZ_SECONDS:-60} s"; \
	    mkdir -p $(FUZZ_BUILD)/corpus-$$t; \
	    ASAN_OPTIONS=allow_user_segv_handler=1:handle_segv=0 $(FUZZ_BUILD)/fuzz_$$t -max_total_time=$${FUZZ_SECONDS:-60} \
	        -rss_limit_mb=2048 -malloc_limit_mb=512 -timeout=10 -print_final_stats=1 \
	        $(FUZZ_BUILD)/corpus-$$t $(FUZZ_BUILD)/corpus 2>&1 | grep -E "^#|stat::|ERROR|SUMMARY|crash|Done" | tail -8; \
	done

# ---- the interpreter-only engine (architectures without a code generator,
# or -DWASM_NO_JIT), simulated on this one: the spec suite in its own build
.PHONY: spec-interp-only
spec-interp-only:
	@$(MAKE) --no-print-directory BUILD=build-nojit CFLAGS="$(CFLAGS) -DWASM_NO_JIT" build-nojit/tests/spec_runner
	@WASM_BPF_BUILD=$(CURDIR)/build-nojit tests/spec/run | tail -2
