# mk/bpf.mk: the BPF host interface (src/bpf): its tests and benchmarks, and
# the rules every BPF object of the tree is built with (mk/examples.mk uses
# them too; this file is read first).

BPF_CLANG   ?= clang
LLVM_STRIP  ?= llvm-strip
WASM_CC     ?= clang
BPF_ARCH    := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' \
                 -e 's/ppc64le/powerpc/' -e 's/riscv64/riscv/' -e 's/s390x/s390/')
BPF_CFLAGS  := -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -Wall -Werror -Isdk/c
VMLINUX_H   := $(BUILD)/bpf/vmlinux.h

# C guests: stock clang for wasm32-wasi, wasi-libc, the SDK; the function
# table exported for poll callbacks
WASM_CFLAGS  := --target=wasm32-wasi -O2 -Wall -Wextra -Werror -Isdk/c
WASM_LDFLAGS := -Wl,--export-table -Wl,--strip-debug
SDK_HEADERS  := sdk/c/libbpf-wasm.h sdk/c/wasm-bpf.h sdk/c/wasm-bpf-tool.h sdk/c/wasm-bpf-args.h \
                sdk/c/wasm-bpf-bpf.h sdk/c/wasm-bpf-regs.h

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
BPF_HOST_OBJS := $(filter $(BUILD)/obj/src/bpf/% $(BUILD)/obj/src/base/%,$(LIB_OBJS))

$(BPF_TEST_DIR)/probe.bpf.o: tests/bpf/objects/probe.bpf.c $(VMLINUX_H) sdk/c/wasm-bpf-regs.h
	$(call bpf_object,$@,$<,tests/bpf/objects)

# the host interface through a mock engine (no WebAssembly involved)
$(BPF_TEST_DIR)/host_test: tests/bpf/host_test.c tests/bpf/mock_engine.c tests/bpf/mock_engine.h $(BPF_HOST_OBJS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(filter-out -MMD -MP,$(ALL_CFLAGS)) -Itests/bpf -o $@ tests/bpf/host_test.c tests/bpf/mock_engine.c \
	    $(BPF_HOST_OBJS) -lbpf -lelf -lz -ljansson -lpthread

$(BPF_TEST_DIR)/bad.bpf.o: tests/bpf/objects/bad.bpf.c $(VMLINUX_H)
	$(call bpf_object,$@,$<,tests/bpf/objects)

# BTF reference cycles (a typedef or qualifier leading back to itself) in
# a map definition, a .rodata and a .bss variable: what run, gen types and
# gen skeleton must refuse rather than loop on (tests/bpf, tests/gen-types)
$(BPF_TEST_DIR)/cycle.bpf.o: tests/bpf/objects/cycle.bpf.c $(VMLINUX_H)
	$(call bpf_object,$@,$<,tests/bpf/objects)
$(BPF_TEST_DIR)/cycle-%.bpf.o: $(BPF_TEST_DIR)/cycle.bpf.o $(BUILD)/tests/gen-types/mkbtf
	$(Q)$(BUILD)/tests/gen-types/mkbtf --cycle $< $@ wbt_cycle_$*
BPF_CYCLE_OBJS := $(foreach v,map ro bss,$(BPF_TEST_DIR)/cycle-$(v).bpf.o)

# the native program whose function the probe object's uprobe traces
$(BPF_TEST_DIR)/trigger: tests/bpf/trigger.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -g -Wall -Wextra -o $@ $<

# how a guest ends after Ctrl-C (the signal checks), over bootstrap's object
$(BPF_TEST_DIR)/stop.wasm: tests/bpf/guests/stop.c $(BUILD)/examples/bootstrap/bootstrap.skel.h \
                           $(BUILD)/examples/bootstrap/bootstrap.types.h $(SDK_HEADERS)
	@$(if $(Q),echo "  WASM    $@")
	$(Q)$(WASM_CC) $(WASM_CFLAGS) -I$(BUILD)/examples/bootstrap -Iexamples/bootstrap $< $(WASM_LDFLAGS) -o $@

# the C SDK's signal-name table, used as a guest uses it
$(BPF_TEST_DIR)/signames.wasm: tests/bpf/guests/signames.c $(SDK_HEADERS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  WASM    $@")
	$(Q)$(WASM_CC) $(WASM_CFLAGS) $< $(WASM_LDFLAGS) -o $@
TEST_DEPS += $(BPF_TEST_DIR)/signames.wasm

# hostile guests: WAT templates filled with an object's bytes, then wat2wasm;
# bad_btf_VAR is bad_btf.wat with the object whose variable VAR's BTF loops
BPF_GUESTS := bad_args callbacks env_module bad_load bad_btf_map bad_btf_ro bad_btf_bss probes
$(BPF_TEST_DIR)/guests/%.wat: tests/bpf/guests/%.wat tests/bpf/guests/prelude.wat tests/bpf/mkguest.sh \
                              $(BPF_TEST_DIR)/probe.bpf.o $(BPF_TEST_DIR)/bad.bpf.o
	@mkdir -p $(dir $@)
	$(Q)tests/bpf/mkguest.sh $< tests/bpf/guests/prelude.wat \
	    $(if $(filter bad_load,$*),$(BPF_TEST_DIR)/bad.bpf.o,$(BPF_TEST_DIR)/probe.bpf.o) \
	    $(abspath $(BPF_TEST_DIR)/trigger) $@
$(BPF_TEST_DIR)/guests/bad_btf_%.wat: tests/bpf/guests/bad_btf.wat tests/bpf/guests/prelude.wat \
                                      tests/bpf/mkguest.sh $(BPF_TEST_DIR)/cycle-%.bpf.o
	@mkdir -p $(dir $@)
	$(Q)tests/bpf/mkguest.sh $< tests/bpf/guests/prelude.wat $(BPF_TEST_DIR)/cycle-$*.bpf.o \
	    $(abspath $(BPF_TEST_DIR)/trigger) $@
$(BPF_TEST_DIR)/guests/%.wasm: $(BPF_TEST_DIR)/guests/%.wat
	@$(if $(Q),echo "  WAT     $@")
	$(Q)wat2wasm --debug-names $< -o $@

# ---- benchmarks (bench/bpf): the same sources built as wasm guests and as
# native libbpf programs (bpftool's skeleton, bench/bpf/native_compat.h)
BPF_BENCH_DIR := $(BUILD)/bench/bpf
NATIVE_BPF_CFLAGS = -O2 -g -Wall -Wextra -Werror -include bench/bpf/native_compat.h

$(BPF_BENCH_DIR)/bpfbench.bpf.o: bench/bpf/bpfbench.bpf.c $(VMLINUX_H)
	$(call bpf_object,$@,$<,bench/bpf)
$(BPF_BENCH_DIR)/wasm/bpfbench.skel.h: $(BPF_BENCH_DIR)/bpfbench.bpf.o $(BIN)
	@mkdir -p $(dir $@)
	$(Q)$(BIN) gen skeleton $< > $@.tmp && mv $@.tmp $@
$(BPF_BENCH_DIR)/bpfbench.wasm: bench/bpf/bpfbench.c $(BPF_BENCH_DIR)/wasm/bpfbench.skel.h $(SDK_HEADERS)
	@$(if $(Q),echo "  WASM    $@")
	$(Q)$(WASM_CC) $(WASM_CFLAGS) -I$(BPF_BENCH_DIR)/wasm $< $(WASM_LDFLAGS) -o $@
$(BPF_BENCH_DIR)/native/bpfbench.skel.h: $(BPF_BENCH_DIR)/bpfbench.bpf.o
	@mkdir -p $(dir $@)
	$(Q)bpftool gen skeleton $< name bpfbench_bpf > $@.tmp 2> $@.log || { cat $@.log; exit 1; }; mv $@.tmp $@
$(BPF_BENCH_DIR)/native/bpfbench: bench/bpf/bpfbench.c $(BPF_BENCH_DIR)/native/bpfbench.skel.h bench/bpf/native_compat.h
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(NATIVE_BPF_CFLAGS) -I$(BPF_BENCH_DIR)/native $< -o $@ -lbpf -lelf -lz
# bpftool's skeleton, plus the flags part of ours (bootstrap_bpf__take_args:
# data rows for the SDK's portable wasm-bpf-args.h), so that the native
# program parses its options as the guest does
$(BPF_BENCH_DIR)/native/bootstrap.skel.h: $(BUILD)/examples/bootstrap/bootstrap.bpf.o \
                                          $(BUILD)/examples/bootstrap/bootstrap.skel.h
	@mkdir -p $(dir $@)
	$(Q)bpftool gen skeleton $< name bootstrap_bpf > $@.tmp 2> $@.log || { cat $@.log; exit 1; }
	$(Q)printf '\n#include "wasm-bpf-args.h"\n' >> $@.tmp
	$(Q)awk '/^\/\* Command-line flags for the object/ { on = 1 } on { buf[n++] = $$0 } \
	    END { if (!n || buf[n - 1] != "#endif") exit 1; for (i = 0; i < n - 1; i++) print buf[i] }' \
	    $(BUILD)/examples/bootstrap/bootstrap.skel.h >> $@.tmp \
	    || { echo "$@: no flags part in $(BUILD)/examples/bootstrap/bootstrap.skel.h" >&2; exit 1; }
	$(Q)mv $@.tmp $@
# only `struct event`: the wasm build's bootstrap.types.h has all of the
# object's types, whose __u64 and the like the native libbpf headers define
$(BPF_BENCH_DIR)/native/bootstrap.types.h: $(BUILD)/examples/bootstrap/bootstrap.bpf.o $(BIN)
	@mkdir -p $(dir $@)
	$(Q)$(BIN) gen types --type event $< -o $@
$(BPF_BENCH_DIR)/native/bootstrap: examples/bootstrap/bootstrap.c $(BPF_BENCH_DIR)/native/bootstrap.skel.h \
                                   $(BPF_BENCH_DIR)/native/bootstrap.types.h bench/bpf/native_compat.h \
                                   sdk/c/wasm-bpf-tool.h sdk/c/wasm-bpf-args.h
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(NATIVE_BPF_CFLAGS) -I$(BPF_BENCH_DIR)/native -I$(BUILD)/examples/bootstrap -Iexamples/bootstrap \
	    -Isdk/c $< -o $@ -lbpf -lelf -lz
$(BPF_BENCH_DIR)/callbench: bench/bpf/callbench.c $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(LDLIBS_ALL)
$(BPF_BENCH_DIR)/callbench.wasm: bench/bpf/callbench.wat
	@mkdir -p $(dir $@)
	$(Q)wat2wasm $< -o $@
$(BPF_BENCH_DIR)/driver: bench/bpf/driver.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -g -Wall -Wextra -o $@ $<

BENCH_DEPS += $(BPF_BENCH_DIR)/callbench $(BPF_BENCH_DIR)/callbench.wasm $(BPF_BENCH_DIR)/driver $(BPF_BENCH_DIR)/native/bootstrap $(BPF_BENCH_DIR)/native/bpfbench \
              $(BPF_BENCH_DIR)/bpfbench.wasm $(BUILD)/examples/bootstrap/bootstrap.wasm $(BPF_TEST_DIR)/trigger
BENCH_RUN += bench/bpf/run.sh

TEST_SUITES += bpf
TEST_DEPS += $(BPF_TEST_DIR)/host_test $(BPF_TEST_DIR)/probe.bpf.o $(BPF_TEST_DIR)/trigger \
             $(BPF_TEST_DIR)/stop.wasm \
             $(foreach g,$(BPF_GUESTS),$(BPF_TEST_DIR)/guests/$(g).wasm) $(BPF_CYCLE_OBJS)
