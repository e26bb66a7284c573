# mk/kernels.mk: `make test-kernels`, the kernel matrix (issue 14), kept out
# of `make test`: the same guests, byte for byte, on Debian's kernels under
# qemu (TCG) and on this machine's kernel.  The cells are in
# scripts/kernels/cells, what differs per architecture in
# scripts/kernels/archs; how it works: docs/DEVELOPING.md "Kernel matrix".
#
#   make test-kernels [CELLS="host bookworm"]   the table; exit 1 on a fail
#
# Kernels, busybox and images are cached in $(BUILD)/kernels/.

KERNEL_TEST_DEPS := $(BIN) $(EXAMPLE_WASMS) $(EX_DIR)/uprobe/target $(EX_DIR)/rust-bootstrap/rust-bootstrap.wasm \
                    $(BPF_TEST_DIR)/guests/bad_args.wasm $(BPF_TEST_DIR)/trigger

.PHONY: test-kernels kernels-deps
kernels-deps:
	@scripts/install-deps.sh --kernels

test-kernels: deps kernels-deps
	@$(MAKE) --no-print-directory $(KERNEL_TEST_DEPS)
	@scripts/kernels/matrix.sh $(BUILD) $(CELLS)
