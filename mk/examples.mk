# mk/examples.mk: the C example guests (examples/NAME), built the way users
# build a tool: `wasm-bpf build examples/NAME` with the freshly built binary
# (README, "What build does": NAME.bpf.c -> NAME.bpf.o -> NAME.skel.h and
# NAME.types.h -> NAME.wasm, wasm-opt when installed).  The intermediate
# files go to build/examples/NAME (--build-dir), vmlinux.h to build's cache
# under build/cache; build's own checks decide what is rebuilt (the
# compilers' dependency files, each step's command, the generators'
# binary), so make only has to call it when a source, the SDK or the binary
# changed.  The uprobe example's native target (examples/uprobe/target/)
# is built here, not by build.
#
#   make run [DURATION=SECONDS]   runs bootstrap (until Ctrl-C, or that long)

EXAMPLES := bootstrap execsnoop opensnoop runqlat uprobe xdp tc sockfilter sockops lsm fentry
EX_DIR   := $(BUILD)/examples
EX_BUILD  = XDG_CACHE_HOME=$(abspath $(BUILD))/cache $(BIN) build --werror $(if $(Q),,--verbose)

# $(1): example name
define example_rules
$(EX_DIR)/$(1)/$(1).wasm: $(wildcard examples/$(1)/*.c examples/$(1)/*.h examples/$(1)/README.md) \
                          $(BIN) $(SDK_HEADERS)
	@$$(if $$(Q),echo "  BUILD   $$@")
	$(Q)$(EX_BUILD) --build-dir $(EX_DIR)/$(1) -o $$@ examples/$(1)
	@touch $$@

# what other rules use of an example: made by its build
$(EX_DIR)/$(1)/$(1).bpf.o $(EX_DIR)/$(1)/$(1).skel.h $(EX_DIR)/$(1)/$(1).types.h: $(EX_DIR)/$(1)/$(1).wasm ;
endef
$(foreach e,$(EXAMPLES),$(eval $(call example_rules,$(e))))

# PT_REGS_* for both architectures (the SDK header is no example's own)
$(EX_DIR)/uprobe/uprobe.bpf.o: sdk/c/wasm-bpf-regs.h

# the native program the uprobe example traces
$(EX_DIR)/uprobe/target: examples/uprobe/target/target.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -g -Wall -Wextra -o $@ $<

EXAMPLE_WASMS := $(foreach e,$(EXAMPLES),$(EX_DIR)/$(e)/$(e).wasm)
ALL += $(EXAMPLE_WASMS) $(EX_DIR)/uprobe/target

TEST_SUITES += examples
TEST_DEPS += $(EXAMPLE_WASMS) $(EX_DIR)/uprobe/target

RUN_CMD := $(BIN) run $(EX_DIR)/bootstrap/bootstrap.wasm $(if $(DURATION),-t $(DURATION))
