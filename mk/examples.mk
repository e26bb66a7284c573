# mk/examples.mk: the C example guests (examples/NAME).
#
# For each example: NAME.bpf.c -> NAME.bpf.o (clang -target bpf, DWARF
# stripped, BTF kept) -> NAME.skel.h (`wasm-bpf gen skeleton`) -> NAME.wasm
# (stock clang --target=wasm32-wasi, wasi-libc, the SDK in sdk/c).
# vmlinux.h comes from the running kernel's BTF.
#
#   make run [DURATION=SECONDS]   runs bootstrap (until Ctrl-C, or that long)

EXAMPLES := bootstrap execsnoop opensnoop runqlat uprobe xdp tc sockfilter sockops lsm fentry
EX_DIR   := $(BUILD)/examples

BPF_CLANG   ?= clang
LLVM_STRIP  ?= llvm-strip
WASM_CC     ?= clang
BPF_ARCH    := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' \
                 -e 's/ppc64le/powerpc/' -e 's/riscv64/riscv/' -e 's/s390x/s390/')
BPF_CFLAGS  := -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -Wall -Werror
WASM_CFLAGS := --target=wasm32-wasi -O2 -Wall -Wextra -Werror -Isdk/c
WASM_LDFLAGS := -Wl,--export-table -Wl,--strip-debug
SDK_HEADERS := sdk/c/libbpf-wasm.h sdk/c/wasm-bpf.h

$(EX_DIR)/vmlinux.h:
	@mkdir -p $(dir $@)
	@test -r /sys/kernel/btf/vmlinux || { echo "examples: /sys/kernel/btf/vmlinux is missing: the kernel has no BTF" >&2; exit 1; }
	$(Q)bpftool btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

# $(1): example name
define example_rules
$(EX_DIR)/$(1)/$(1).bpf.o: examples/$(1)/$(1).bpf.c $(wildcard examples/$(1)/*.h) $(EX_DIR)/vmlinux.h
	@mkdir -p $$(dir $$@)
	@$$(if $$(Q),echo "  BPF     $$<")
	$(Q)$(BPF_CLANG) $(BPF_CFLAGS) -I$(EX_DIR) -Iexamples/$(1) -c $$< -o $$@.full
	$(Q)$(LLVM_STRIP) -g $$@.full -o $$@ && rm -f $$@.full

$(EX_DIR)/$(1)/$(1).skel.h: $(EX_DIR)/$(1)/$(1).bpf.o $(BIN)
	@$$(if $$(Q),echo "  SKEL    $$@")
	$(Q)$(BIN) gen skeleton $$< > $$@.tmp && mv $$@.tmp $$@

$(EX_DIR)/$(1)/$(1).wasm: examples/$(1)/$(1).c $(EX_DIR)/$(1)/$(1).skel.h $(wildcard examples/$(1)/*.h) $(SDK_HEADERS)
	@$$(if $$(Q),echo "  WASM    $$@")
	$(Q)$(WASM_CC) $(WASM_CFLAGS) -I$(EX_DIR)/$(1) -Iexamples/$(1) $$< $(WASM_LDFLAGS) -o $$@
endef
$(foreach e,$(EXAMPLES),$(eval $(call example_rules,$(e))))

# the native program the uprobe example traces
$(EX_DIR)/uprobe/target: examples/uprobe/target.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -g -Wall -Wextra -o $@ $<

EXAMPLE_WASMS := $(foreach e,$(EXAMPLES),$(EX_DIR)/$(e)/$(e).wasm)
ALL += $(EXAMPLE_WASMS) $(EX_DIR)/uprobe/target

TEST_SUITES += examples
TEST_DEPS += $(EXAMPLE_WASMS) $(EX_DIR)/uprobe/target

RUN_CMD := $(BIN) run $(EX_DIR)/bootstrap/bootstrap.wasm $(if $(DURATION),-t $(DURATION))
