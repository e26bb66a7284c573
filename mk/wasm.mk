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
$(WASM_DUMP): tests/engine/wasm_dump.c $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(LDLIBS_ALL)
TEST_DEPS += $(WASM_DUMP)

# ---- benchmarks ----
BENCH_KERNELS := fib sieve crc32 sha256 matmul qsort coremix
SHARED_KERNELS := ../shared/bench/kernels
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
$(foreach k,$(BENCH_KERNELS) hello,$(eval $(call bench_kernel,$(k))))
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
