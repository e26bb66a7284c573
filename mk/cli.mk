# mk/cli.mk: the command (src/cli): the `cli` suite's modules, written in
# the text format.  --debug-names keeps function names for trap messages.

CLI_TEST_DIR    := $(BUILD)/tests/cli
CLI_TEST_WASM   := $(patsubst tests/cli/wat/%.wat,$(CLI_TEST_DIR)/%.wasm,$(wildcard tests/cli/wat/*.wat))

$(CLI_TEST_DIR)/%.wasm: tests/cli/wat/%.wat
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  WAT     $@")
	$(Q)wat2wasm --debug-names -o $@ $<

TEST_DEPS   += $(CLI_TEST_WASM)
TEST_SUITES += cli
