# mk/bpf.mk: the BPF host interface (src/bpf): its tests and benchmarks, and
# the rules every BPF object of the tree is built with (mk/examples.mk uses
# them too; this file is read first).

BPF_CLANG   ?= clang
LLVM_STRIP  ?= llvm-strip
WASM_CC     ?= clang
BPF_ARCH    := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' \
                 -e 's/ppc64le/powerpc/' -e 's/riscv64/riscv/' -e 's/s390x/s390/')
BPF_CFLAGS  := -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -Wall -Werror
VMLINUX_H   := $(BUILD)/bpf/vmlinux.h

# vmlinux.h: every kernel type, from the running kernel's BTF
$(VMLINUX_H):
	@mkdir -p $(dir $@)
	@test -r /sys/kernel/btf/vmlinux || { echo "wasm-bpf: /sys/kernel/btf/vmlinux is missing: this kernel has no BTF" >&2; exit 1; }
	$(Q)bpftool btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

# bpf_object OUT SRC INCLUDE_DIR: compile, then strip DWARF (BTF stays)
define bpf_object
	@mkdir -p $(dir $(1))
	@$(if $(Q),echo "  BPF     $(2)")
	$(Q)$(BPF_CLANG) $(BPF_CFLAGS) -I$(dir $(VMLINUX_H)) -I$(3) -c $(2) -o $(1).full
	$(Q)$(LLVM_STRIP) -g $(1).full -o $(1) && rm -f $(1).full
endef

BPF_TEST_DIR  := $(BUILD)/tests/bpf
BPF_HOST_OBJS := $(filter $(BUILD)/obj/src/bpf/%,$(LIB_OBJS))

$(BPF_TEST_DIR)/probe.bpf.o: tests/bpf/objects/probe.bpf.c $(VMLINUX_H)
	$(call bpf_object,$@,$<,tests/bpf/objects)

# the host interface through a mock engine (no WebAssembly involved)
$(BPF_TEST_DIR)/host_test: tests/bpf/host_test.c tests/bpf/mock_engine.c tests/bpf/mock_engine.h $(BPF_HOST_OBJS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(filter-out -MMD -MP,$(ALL_CFLAGS)) -Itests/bpf -o $@ tests/bpf/host_test.c tests/bpf/mock_engine.c \
	    $(BPF_HOST_OBJS) -lbpf -lelf -lz -lpthread

TEST_SUITES += bpf
TEST_DEPS += $(BPF_TEST_DIR)/host_test $(BPF_TEST_DIR)/probe.bpf.o
