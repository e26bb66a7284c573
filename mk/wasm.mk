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
