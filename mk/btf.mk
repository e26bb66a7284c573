# mk/btf.mk: kernels without /sys/kernel/btf/vmlinux (issue 14): run --btf,
# the BTF file checks, run --verbose's kernel features.
#   tests/btf/run   needs the bootstrap example (built by `make`), bpftool
#                   and unshare; hides the kernel's BTF in a mount namespace

TEST_SUITES += btf
TEST_DEPS   += $(BUILD)/examples/bootstrap/bootstrap.wasm $(BUILD)/examples/runqlat/runqlat.wasm
