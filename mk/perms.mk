# mk/perms.mk: the permissions a module declares (issue 11): push records
# them (src/bpf/perms.c), run enforces them.
#   tests/perms/run   unit checks (perms-test), then push/inspect/run
#                     against docker-registry on 127.0.0.1 and the kernel
#   perms-test        scan, annotation parser and rule checks (public API)

PERMS_DIR  := $(BUILD)/tests/perms
PERMS_TEST := $(PERMS_DIR)/perms-test
PERMS_OBJS := $(PERMS_DIR)/tracer.bpf.o $(PERMS_DIR)/writer.bpf.o
# guests over the objects: load-OBJ loads it as embedded, hidden-OBJ puts
# its ELF magic back at run time (an object the module does not carry)
PERMS_GUESTS := $(PERMS_DIR)/load-tracer.wasm $(PERMS_DIR)/load-writer.wasm $(PERMS_DIR)/hidden-tracer.wasm

TEST_SUITES += perms
TEST_DEPS   += $(PERMS_TEST) $(PERMS_OBJS) $(PERMS_GUESTS)

$(PERMS_DIR)/%.bpf.o: tests/perms/objects/%.bpf.c $(VMLINUX_H)
	$(call bpf_object,$@,$<,tests/perms/objects)

$(PERMS_TEST): tests/perms/perms_test.c $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(LDLIBS_ALL)

$(PERMS_DIR)/load-%.wat: tests/perms/guests/load.wat tests/bpf/guests/prelude.wat tests/bpf/mkguest.sh $(PERMS_DIR)/%.bpf.o
	$(Q)tests/bpf/mkguest.sh $< tests/bpf/guests/prelude.wat $(PERMS_DIR)/$*.bpf.o /bin/true $@
$(PERMS_DIR)/hidden-%.wat: tests/perms/guests/hidden.wat tests/bpf/guests/prelude.wat tests/bpf/mkguest.sh $(PERMS_DIR)/%.bpf.o
	$(Q)tests/bpf/mkguest.sh $< tests/bpf/guests/prelude.wat $(PERMS_DIR)/$*.bpf.o /bin/true $@
$(PERMS_DIR)/%.wasm: $(PERMS_DIR)/%.wat
	@$(if $(Q),echo "  WAT     $@")
	$(Q)wat2wasm $< -o $@

-include $(PERMS_TEST).d

# libFuzzer target for the annotation parser and the module scan (make fuzz)
PERMS_FUZZ := build-fuzz/perms_fuzz
$(PERMS_FUZZ): tests/perms/fuzz_perms.c $(wildcard src/bpf/*.c) $(wildcard src/base/*.c) $(wildcard src/bpf/*.h) include/wasm_bpf_host.h
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)clang -std=gnu11 -D_GNU_SOURCE -Iinclude -Isrc/bpf -O1 -g \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    -o $@ $< $(wildcard src/bpf/*.c) $(wildcard src/wasm/*.c) $(wildcard src/base/*.c) -lbpf -lelf -lz -ljansson -lm -lpthread
FUZZ_DEPS += $(PERMS_FUZZ)
