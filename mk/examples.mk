# mk/examples.mk: the C example guests (examples/NAME).
#
# For each example: NAME.bpf.c -> NAME.bpf.o (clang -target bpf, DWARF
# stripped, BTF kept) -> NAME.skel.h (`wasm-bpf gen skeleton`) and
# NAME.types.h (`wasm-bpf gen types`: the event struct in the kernel's
# layout) -> NAME.wasm (stock clang --target=wasm32-wasi, wasi-libc, the
# SDK in sdk/c).
# The BPF and guest build settings (bpf_object, vmlinux.h, WASM_CFLAGS) are
# in mk/bpf.mk.
#
#   make run [DURATION=SECONDS]   runs bootstrap (until Ctrl-C, or that long)

EXAMPLES := bootstrap execsnoop opensnoop runqlat uprobe xdp tc sockfilter sockops lsm fentry
EX_DIR   := $(BUILD)/examples


# the types each guest gets from `wasm-bpf gen types`
EXAMPLE_TYPES_bootstrap  := event
EXAMPLE_TYPES_execsnoop  := event
EXAMPLE_TYPES_opensnoop  := event
EXAMPLE_TYPES_runqlat    := hist
EXAMPLE_TYPES_uprobe     := event
EXAMPLE_TYPES_xdp        := counter
EXAMPLE_TYPES_tc         := counter
EXAMPLE_TYPES_sockfilter := so_event
EXAMPLE_TYPES_sockops    := conn_event
EXAMPLE_TYPES_fentry     := unlink_event

# $(1): example name
define example_rules
$(EX_DIR)/$(1)/$(1).bpf.o: examples/$(1)/$(1).bpf.c $(wildcard examples/$(1)/*.h) $(VMLINUX_H)
	$$(call bpf_object,$$@,$$<,examples/$(1))

$(EX_DIR)/$(1)/$(1).skel.h: $(EX_DIR)/$(1)/$(1).bpf.o $(BIN)
	@$$(if $$(Q),echo "  SKEL    $$@")
	$(Q)$(BIN) gen skeleton $$< > $$@.tmp && mv $$@.tmp $$@

$(EX_DIR)/$(1)/$(1).types.h: $(EX_DIR)/$(1)/$(1).bpf.o $(BIN)
	@$$(if $$(Q),echo "  TYPES   $$@")
	$(Q)$(BIN) gen types $(foreach t,$(EXAMPLE_TYPES_$(1)),--type $(t)) $$< -o $$@

$(EX_DIR)/$(1)/$(1).wasm: examples/$(1)/$(1).c $(EX_DIR)/$(1)/$(1).skel.h $(if $(EXAMPLE_TYPES_$(1)),$(EX_DIR)/$(1)/$(1).types.h) \
                          $(wildcard examples/$(1)/*.h) $(SDK_HEADERS)
	@$$(if $$(Q),echo "  WASM    $$@")
	$(Q)$(WASM_CC) $(WASM_CFLAGS) -I$(EX_DIR)/$(1) -Iexamples/$(1) $$< $(WASM_LDFLAGS) -o $$@
endef
$(foreach e,$(EXAMPLES),$(eval $(call example_rules,$(e))))

# PT_REGS_* for both architectures (the SDK header is no example's own)
$(EX_DIR)/uprobe/uprobe.bpf.o: sdk/c/wasm-bpf-regs.h

# the native program the uprobe example traces
$(EX_DIR)/uprobe/target: examples/uprobe/target.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -g -Wall -Wextra -o $@ $<

EXAMPLE_WASMS := $(foreach e,$(EXAMPLES),$(EX_DIR)/$(e)/$(e).wasm)
ALL += $(EXAMPLE_WASMS) $(EX_DIR)/uprobe/target

TEST_SUITES += examples
TEST_DEPS += $(EXAMPLE_WASMS) $(EX_DIR)/uprobe/target

RUN_CMD := $(BIN) run $(EX_DIR)/bootstrap/bootstrap.wasm $(if $(DURATION),-t $(DURATION))
