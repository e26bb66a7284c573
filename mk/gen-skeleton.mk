# mk/gen-skeleton.mk: `wasm-bpf gen skeleton` (src/gen/skeleton*.c) and the
# C SDK it writes for (sdk/c): the gen-skeleton suite's fixtures.
#   globals     global data of every shape (.rodata, .data, .bss; long,
#               pointers, bool, arrays, a struct): object -> skeleton -> C
#               guest that sets them before load and reads them back
#   legacy      the bootstrap example built on a skeleton in the original
#               project's format (no sizes, no offsets but .rodata's)
# Reads bpf_object, VMLINUX_H, WASM_CFLAGS, BPF_TEST_DIR (the trigger
# binary) from mk/bpf.mk and the bootstrap example's outputs from
# mk/examples.mk.

GEN_SKEL_OUT := $(BUILD)/tests/gen-skeleton

$(GEN_SKEL_OUT)/globals.bpf.o: tests/gen-skeleton/globals.bpf.c $(VMLINUX_H)
	$(call bpf_object,$@,$<,tests/gen-skeleton)
$(GEN_SKEL_OUT)/globals.skel.h: $(GEN_SKEL_OUT)/globals.bpf.o $(BIN)
	$(Q)$(BIN) gen skeleton $< > $@.tmp && mv $@.tmp $@
$(GEN_SKEL_OUT)/globals.wasm: tests/gen-skeleton/globals.c $(GEN_SKEL_OUT)/globals.skel.h $(SDK_HEADERS)
	@$(if $(Q),echo "  WASM    $@")
	$(Q)$(WASM_CC) $(WASM_CFLAGS) -I$(GEN_SKEL_OUT) $< $(WASM_LDFLAGS) -o $@

$(GEN_SKEL_OUT)/legacy/bootstrap.skel.h: $(BUILD)/examples/bootstrap/bootstrap.skel.h
	@mkdir -p $(dir $@)
	$(Q)grep -v -e '\.mmaped_sz = ' -e '\.elf_offset = ' $< > $@
$(GEN_SKEL_OUT)/legacy/bootstrap.wasm: examples/bootstrap/bootstrap.c $(GEN_SKEL_OUT)/legacy/bootstrap.skel.h \
                                       $(BUILD)/examples/bootstrap/bootstrap.types.h $(SDK_HEADERS)
	@$(if $(Q),echo "  WASM    $@")
	$(Q)$(WASM_CC) $(WASM_CFLAGS) -I$(GEN_SKEL_OUT)/legacy -I$(BUILD)/examples/bootstrap -Iexamples/bootstrap $< \
	    $(WASM_LDFLAGS) -o $@

TEST_SUITES += gen-skeleton
TEST_DEPS   += $(GEN_SKEL_OUT)/globals.wasm $(GEN_SKEL_OUT)/legacy/bootstrap.wasm $(BPF_TEST_DIR)/trigger

# args        a const volatile global of every kind: the flags the skeleton
#             generates (NAME__parse_args), parsed by a guest without a load
$(GEN_SKEL_OUT)/args.bpf.o: tests/gen-skeleton/args.bpf.c $(VMLINUX_H) sdk/c/wasm-bpf-bpf.h
	$(call bpf_object,$@,$<,tests/gen-skeleton)
$(GEN_SKEL_OUT)/args.skel.h: $(GEN_SKEL_OUT)/args.bpf.o $(BIN)
	$(Q)$(BIN) gen skeleton $< > $@.tmp && mv $@.tmp $@
$(GEN_SKEL_OUT)/args.wasm: tests/gen-skeleton/args.c $(GEN_SKEL_OUT)/args.skel.h $(SDK_HEADERS)
	@$(if $(Q),echo "  WASM    $@")
	$(Q)$(WASM_CC) $(WASM_CFLAGS) -I$(GEN_SKEL_OUT) $< $(WASM_LDFLAGS) -o $@
TEST_DEPS   += $(GEN_SKEL_OUT)/args.wasm
