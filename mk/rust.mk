# mk/rust.mk: Rust guests: the SDK crate (sdk/rust), the Rust examples
# (examples/rust-*) and their tests (tests/rust).
#
# Debian's rustc 1.63 and cargo from /usr/bin by default (a rustup toolchain
# first in PATH may have no WASI target installed; RUST_RUSTC=... CARGO=...
# choose another), offline: the crates have no dependencies.  The target is
# the toolchain's name for WASI preview 1, wasm32-wasip1 (Rust 1.78 and
# later) or wasm32-wasi (before), found by scripts/rust-wasm-target.sh.
#
# The examples are built the way users build a Rust tool, as the C ones
# (mk/examples.mk): `wasm-bpf build examples/rust-NAME`, which compiles the
# project's NAME.bpf.c (a one-line file including examples/NAME/NAME.bpf.c),
# generates NAME.types.rs and runs cargo in the project's directory (its
# .cargo/config.toml adds --export-table), BPF_OUT_DIR set to the build
# directory build/examples/rust-NAME.  One cargo target directory,
# $(BUILD)/rust, for all of them: the SDK crate is compiled once.
# The tests' guests (tests/rust) are built here by hand, with cargo and
# with plain rustc (the original crate's API).
# Reads EX_DIR, EX_BUILD and bpf_object from mk/examples.mk and mk/bpf.mk.

CARGO           ?= /usr/bin/cargo
RUST_RUSTC      ?= /usr/bin/rustc
# empty without cargo or without a WASI standard library: the Rust guests
# are then not built, and tests/rust skips them, saying why
RUST_WASM_TARGET := $(if $(wildcard $(CARGO)),$(shell scripts/rust-wasm-target.sh $(RUST_RUSTC)))
RUST_TARGET_DIR := $(abspath $(BUILD))/rust
RUST_RELEASE    := $(RUST_TARGET_DIR)/$(RUST_WASM_TARGET)/release
RUST_SDK_SRCS   := sdk/rust/Cargo.toml $(wildcard sdk/rust/src/*.rs)
RUST_ENV         = RUSTC=$(RUST_RUSTC) RUSTDOC=$(RUST_RUSTC:rustc=rustdoc) CARGO_TARGET_DIR=$(RUST_TARGET_DIR)

# cargo_guest CRATE_DIR BPF_OUT_DIR NAME OUT: build a guest crate, copy its module to OUT
define cargo_guest
	@$(if $(Q),echo "  CARGO   $(4)")
	$(Q)cd $(1) && $(RUST_ENV) BPF_OUT_DIR=$(abspath $(2)) $(CARGO) build --offline --release --target $(RUST_WASM_TARGET) $(if $(Q),--quiet)
	$(Q)cp $(RUST_RELEASE)/$(3).wasm $(4)
endef

# types_rs OUT OBJECT [TYPE...]: Rust types of a BPF object (those named,
# or those of its maps and globals)
define types_rs
	@mkdir -p $(dir $(1))
	@$(if $(Q),echo "  TYPES   $(1)")
	$(Q)$(BIN) gen types --lang rust $(foreach t,$(3),--type $(t)) $(2) -o $(1)
endef

# build's toolchain is make's (CARGO, RUSTC), offline (CARGO_NET_OFFLINE)
RUST_EX_BUILD = CARGO=$(CARGO) RUSTC=$(RUST_RUSTC) CARGO_TARGET_DIR=$(RUST_TARGET_DIR) \
                CARGO_NET_OFFLINE=true $(EX_BUILD)

# $(1): the C example whose program examples/rust-$(1) loads
define rust_example_rules
$(EX_DIR)/rust-$(1)/rust-$(1).wasm: $(wildcard examples/rust-$(1)/*.bpf.c examples/rust-$(1)/src/*.rs) \
		examples/rust-$(1)/Cargo.toml examples/rust-$(1)/.cargo/config.toml \
		$(wildcard examples/$(1)/*.bpf.c examples/$(1)/*.h) $(BIN) $(SDK_HEADERS) $(RUST_SDK_SRCS)
	@$$(if $$(Q),echo "  BUILD   $$@")
	$(Q)$(RUST_EX_BUILD) --build-dir $(EX_DIR)/rust-$(1) -o $$@ examples/rust-$(1)
	@touch $$@

# what other rules use of an example: made by its build
$(EX_DIR)/rust-$(1)/$(1).bpf.o: $(EX_DIR)/rust-$(1)/rust-$(1).wasm ;
endef
RUST_EXAMPLES := bootstrap runqlat xdp
$(foreach e,$(RUST_EXAMPLES),$(eval $(call rust_example_rules,$(e))))

RB_DIR := $(EX_DIR)/rust-bootstrap
RUST_EXAMPLE_WASMS := $(foreach e,$(RUST_EXAMPLES),$(EX_DIR)/rust-$(e)/rust-$(e).wasm)
ifneq ($(RUST_WASM_TARGET),)
ALL += $(RUST_EXAMPLE_WASMS)
endif

# ---- tests/rust: the SDK against the kernel, and the original binding's API ----
RT_DIR := $(BUILD)/tests/rust

$(RT_DIR)/sdk_test.bpf.o: tests/rust/sdk-test/sdk_test.bpf.c $(VMLINUX_H)
	$(call bpf_object,$@,$<,tests/rust/sdk-test)
$(RT_DIR)/sdk_test.rs: $(RT_DIR)/sdk_test.bpf.o $(BIN)
	$(call types_rs,$@,$<)
$(RT_DIR)/sdk-test.wasm: $(wildcard tests/rust/sdk-test/src/*.rs) tests/rust/sdk-test/Cargo.toml \
		$(RUST_SDK_SRCS) $(RT_DIR)/sdk_test.bpf.o $(RT_DIR)/sdk_test.rs
	$(call cargo_guest,tests/rust/sdk-test,$(RT_DIR),sdk-test,$@)

# a guest written against the original crate's API (raw calls, no main),
# built with plain rustc: the crate as an rlib, then the guest
$(RT_DIR)/plain/libwasm_bpf_binding.rlib: $(RUST_SDK_SRCS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  RUSTC   $@")
	$(Q)$(RUST_RUSTC) --edition 2021 --crate-type rlib --crate-name wasm_bpf_binding --target $(RUST_WASM_TARGET) \
	    -C opt-level=s -C panic=abort --cfg 'feature="last-error"' --out-dir $(dir $@) sdk/rust/src/lib.rs
$(RT_DIR)/compat.wasm: tests/rust/compat/main.rs $(RT_DIR)/plain/libwasm_bpf_binding.rlib $(RB_DIR)/bootstrap.bpf.o
	@$(if $(Q),echo "  RUSTC   $@")
	$(Q)BPF_OUT_DIR=$(abspath $(RB_DIR)) $(RUST_RUSTC) --edition 2021 --target $(RUST_WASM_TARGET) -C opt-level=s -C panic=abort \
	    -C strip=symbols -C link-arg=--export-table \
	    --extern wasm_bpf_binding=$(RT_DIR)/plain/libwasm_bpf_binding.rlib -o $@ $<

TEST_SUITES += rust
ifneq ($(RUST_WASM_TARGET),)
TEST_DEPS += $(RUST_EXAMPLE_WASMS) $(RT_DIR)/sdk-test.wasm $(RT_DIR)/compat.wasm
endif
