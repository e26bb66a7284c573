# WASI (src/wasi): the test guests of the `wasi` suite, and the start-up
# benchmark (`wasm-bpf run` of a WASI hello world).  The command's suite
# is in mk/cli.mk.

WASI_GUEST_CC     := clang --target=wasm32-wasi
WASI_GUEST_CFLAGS := -O2 -Wall -Wextra -Werror
WASI_TEST_DIR     := $(BUILD)/tests/wasi
WASI_TEST_GUESTS  := $(patsubst tests/wasi/progs/%.c,$(WASI_TEST_DIR)/%.wasm,$(wildcard tests/wasi/progs/*.c))

$(WASI_TEST_DIR)/%.wasm: tests/wasi/progs/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  WASM    $@")
	$(Q)$(WASI_GUEST_CC) $(WASI_GUEST_CFLAGS) -o $@ $<

# The host side of the race check (renames a directory as fast as it can).
$(WASI_TEST_DIR)/mover: tests/wasi/mover.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) -O2 -Wall -Wextra -Werror -o $@ $<

# The Rust std guest needs a rustc with its WASI standard library
# (Debian's: libstd-rust-dev-wasm32, target wasm32-wasi; Rust 1.78 and later
# name it wasm32-wasip1); the suite skips it when they are missing.
WASI_RUSTC := /usr/bin/rustc
WASI_RUST_TARGET := $(if $(wildcard $(WASI_RUSTC)),$(shell scripts/rust-wasm-target.sh $(WASI_RUSTC)))
ifneq ($(WASI_RUST_TARGET),)
WASI_RUST_GUESTS := $(WASI_TEST_DIR)/files-rs.wasm
endif

$(WASI_TEST_DIR)/files-rs.wasm: tests/wasi/rust/files.rs
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  RUSTC   $@")
	$(Q)$(WASI_RUSTC) --target $(WASI_RUST_TARGET) -O -C strip=debuginfo -o $@ $<

TEST_DEPS   += $(WASI_TEST_GUESTS) $(WASI_RUST_GUESTS) $(WASI_TEST_DIR)/mover
TEST_SUITES += wasi

# Start-up: `wasm-bpf run hello.wasm` against the same hello world built
# natively, paired runs, median difference in ms.
STARTUP_DIR := $(BUILD)/bench/startup

$(STARTUP_DIR)/hello.wasm: tests/wasi/progs/hello.c
	@mkdir -p $(dir $@)
	$(Q)$(WASI_GUEST_CC) $(WASI_GUEST_CFLAGS) -o $@ $<

$(STARTUP_DIR)/hello-native: tests/wasi/progs/hello.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -o $@ $<

BENCH_DEPS += $(STARTUP_DIR)/hello.wasm $(STARTUP_DIR)/hello-native
BENCH_RUN  += bench/startup/startup.py
