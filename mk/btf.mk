# mk/btf.mk: kernels without /sys/kernel/btf/vmlinux (issue 14): run --btf,
# the BTF file checks, run --verbose's kernel features.
#   tests/btf/run   needs the bootstrap example (built by `make`), bpftool
#                   and unshare; hides the kernel's BTF in a mount namespace

TEST_SUITES += btf
TEST_DEPS   += $(BUILD)/examples/bootstrap/bootstrap.wasm $(BUILD)/examples/runqlat/runqlat.wasm

# libFuzzer target for the wasm-bpf.btf section (make fuzz)
BTF_FUZZ := build-fuzz/btf_section_fuzz
$(BTF_FUZZ): tests/btf/fuzz_btf_section.c $(wildcard src/bpf/*.c) $(wildcard src/base/*.c) $(wildcard src/bpf/*.h) include/wasm_bpf_host.h
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)clang -std=gnu11 -D_GNU_SOURCE -Iinclude -Isrc/bpf -O1 -g \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    -o $@ $< $(wildcard src/bpf/*.c) $(wildcard src/wasm/*.c) $(wildcard src/base/*.c) -lbpf -lelf -lz -ljansson -lm -lpthread
FUZZ_DEPS += $(BTF_FUZZ)
