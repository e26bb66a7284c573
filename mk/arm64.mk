# mk/arm64.mk: wasm-bpf for arm64, cross-compiled on this x86-64 machine
# (Debian's gcc-aarch64-linux-gnu and the arm64 -dev packages through
# multiarch), and the runtime's own suites on it under qemu user emulation.
# Neither target is part of `make test`.
#
#   make cross-arm64        build-arm64/wasm-bpf, libwasm-bpf.a and the test
#                           programs, -Werror (CC=clang: clang --target=aarch64-linux-gnu)
#   make test-arm64         cross-arm64, then the suites that need no kernel of
#                           their own (ARM64_SUITES) with every program of theirs
#                           run by qemu-aarch64 (scripts/arm64-tests.sh)
#   make test-kernels CELLS=arm64   the examples in an arm64 VM (mk/kernels.mk;
#                           the cell needs cross-arm64 and arm64-root below)
#
# The arm64 build has no compiling tier (src/wasm/jit.h: WASM_JIT_ARCH is
# x86-64 only), so `--engine jit` runs the interpreter there, as documented.
# The guests (.wasm) and the BPF objects are not rebuilt: the suites use
# the very files of the x86-64 build ($(BUILD)), which is built first.

ARM64_BUILD  := build-arm64
ARM64_PREFIX := aarch64-linux-gnu-
ARM64_CC     := $(if $(findstring clang,$(CC)),clang --target=aarch64-linux-gnu,$(ARM64_PREFIX)gcc)
ARM64_SUITES ?= arm64 engine spec base wasi cli gen-types gen-skeleton namespace

# The programs the suites run, named for whatever BUILD is (in the recipe
# below, expanded after every mk/*.mk has defined them).
ARM64_PROGRAMS = $(BIN) $(LIB_INTERNAL) $(SPEC_RUNNER) $(WASM_INVOKE) $(WASM_DUMP) \
                 $(BUILD)/tests/engine_test $(BASE_TEST) $(BASE_FAIL_MALLOC) $(GEN_TYPES_OUT)/datasec \
                 $(EX_DIR)/uprobe/target $(BPF_TEST_DIR)/trigger

.PHONY: cross-arm64 test-arm64 deps-arm64
deps-arm64:
	@scripts/install-deps.sh --arm64

cross-arm64: deps-arm64
	@$(MAKE) --no-print-directory BUILD=$(ARM64_BUILD) CROSS_COMPILE=$(ARM64_PREFIX) \
	    CC="$(ARM64_CC)" arm64-programs

# The arm64 root the kernel matrix takes libraries and tools from (LIBROOT
# of scripts/kernels/archs): lib and usr/lib are this machine's (the arm64
# multiarch libraries are in their aarch64-linux-gnu directories), plus
# iproute2's ip for arm64, unpacked from the Debian package (apt-get
# download, once), since it cannot be installed beside the amd64 one.
ARM64_ROOT := $(ARM64_BUILD)/root
.PHONY: arm64-root
arm64-root: deps-arm64 $(ARM64_ROOT)/sbin/ip
$(ARM64_ROOT)/sbin/ip $(ARM64_ROOT)/sbin/tc &:
	@mkdir -p $(ARM64_ROOT)/debs $(ARM64_ROOT)/usr
	@ln -sfn /lib $(ARM64_ROOT)/lib
	@ln -sfn /usr/lib $(ARM64_ROOT)/usr/lib
	$(Q)cd $(ARM64_ROOT)/debs && { ls iproute2_*_arm64.deb >/dev/null 2>&1 || apt-get -o APT::Sandbox::User=root download iproute2:arm64 >/dev/null; }
	$(Q)rm -rf $(ARM64_ROOT)/iproute2 && dpkg-deb -x $(ARM64_ROOT)/debs/iproute2_*_arm64.deb $(ARM64_ROOT)/iproute2
	@mkdir -p $(dir $@)
	$(Q)cp $(ARM64_ROOT)/iproute2/bin/ip $(ARM64_ROOT)/iproute2/sbin/tc $(dir $@)

# `make test-kernels` runs the arm64 cell (scripts/kernels/cells) unless
# CELLS leaves it out: it needs both of the above
test-kernels: $(if $(CELLS),$(if $(filter arm64,$(CELLS)),cross-arm64 arm64-root),cross-arm64 arm64-root)

.PHONY: arm64-programs
arm64-programs:
	@$(MAKE) --no-print-directory $(ARM64_PROGRAMS)

test-arm64: cross-arm64
	@$(MAKE) --no-print-directory test-build
	@WASM_BPF_ARM64=$(CURDIR)/$(ARM64_BUILD) scripts/arm64-tests.sh $(BUILD) $(ARM64_BUILD) $(ARM64_SUITES)
