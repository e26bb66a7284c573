# mk/rust.mk: Rust guests: the SDK crate (sdk/rust), the Rust examples
# (examples/rust-*) and their tests (tests/rust).
#
# Debian's rustc 1.63 and cargo from /usr/bin by default (a rustup toolchain
# first in PATH may have no WASI target installed; RUST_RUSTC=... CARGO=...
# choose another), offline: the crates have no dependencies.  The target is
# the toolchain's name for WASI preview 1, wasm32-wasip1 (Rust 1.78 and
# later) or wasm32-wasi (before), found by scripts/rust-wasm-target.sh.
# Cargo runs in each crate's directory, so that its .cargo/config.toml
# (--export-table for any wasm32 target) applies; its output goes to
# $(BUILD)/rust and each guest is copied to $(BUILD)/examples/NAME/NAME.wasm.
# The BPF objects and generated types a crate includes are in BPF_OUT_DIR.
# Reads EX_DIR, bpf_object and VMLINUX_H from mk/examples.mk and mk/bpf.mk.

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

RB_DIR := $(EX_DIR)/rust-bootstrap

# rust-bootstrap: the program of examples/bootstrap, and its ring buffer's
# record type, `struct event` (in the object's BTF through the global
# pointer that bootstrap.bpf.c declares for the purpose)
$(RB_DIR)/bootstrap.bpf.o: $(EX_DIR)/bootstrap/bootstrap.bpf.o
	@mkdir -p $(dir $@)
	$(Q)cp $< $@
$(RB_DIR)/event.rs: $(RB_DIR)/bootstrap.bpf.o $(BIN)
	$(call types_rs,$@,$<,event)
$(RB_DIR)/rust-bootstrap.wasm: $(wildcard examples/rust-bootstrap/src/*.rs) examples/rust-bootstrap/Cargo.toml \
		$(RUST_SDK_SRCS) $(RB_DIR)/bootstrap.bpf.o $(RB_DIR)/event.rs
	$(call cargo_guest,examples/rust-bootstrap,$(RB_DIR),rust-bootstrap,$@)

# rust-runqlat and rust-xdp: the programs of examples/runqlat and
# examples/xdp; their map value types are in the objects' BTF
define rust_twin
$(EX_DIR)/rust-$(1)/$(1).bpf.o: $(EX_DIR)/$(1)/$(1).bpf.o
	@mkdir -p $$(dir $$@)
	$(Q)cp $$< $$@
$(EX_DIR)/rust-$(1)/types.rs: $(EX_DIR)/rust-$(1)/$(1).bpf.o $(BIN)
	$$(call types_rs,$$@,$$<)
$(EX_DIR)/rust-$(1)/rust-$(1).wasm: $(wildcard examples/rust-$(1)/src/*.rs) examples/rust-$(1)/Cargo.toml \
		$(RUST_SDK_SRCS) $(EX_DIR)/rust-$(1)/$(1).bpf.o $(EX_DIR)/rust-$(1)/types.rs
	$$(call cargo_guest,examples/rust-$(1),$(EX_DIR)/rust-$(1),rust-$(1),$$@)
endef
$(foreach e,runqlat xdp,$(eval $(call rust_twin,$(e))))

RUST_EXAMPLE_WASMS := $(foreach e,bootstrap runqlat xdp,$(EX_DIR)/rust-$(e)/rust-$(e).wasm)
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
