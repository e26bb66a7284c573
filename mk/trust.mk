# mk/trust.mk: signed modules and the trust policy (issue 11).
#   tests/trust/run   unit checks (trust-test unit), then sign/verify/policy
#                     against docker-registry on 127.0.0.1, skopeo as the
#                     independent implementation
#   trust-test        the unit checks of keys, formats and policy

TRUST_TEST := $(BUILD)/tests/trust/trust-test

TEST_SUITES += trust
TEST_DEPS   += $(TRUST_TEST)

$(TRUST_TEST): tests/trust/trust_test.c $(LIB_INTERNAL)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -Isrc/oci -o $@ $< $(LIB_INTERNAL) $(LDLIBS_ALL)

-include $(TRUST_TEST).d

# libFuzzer target for the signature, payload, key and policy parsers (make fuzz)
TRUST_FUZZ := build-fuzz/trust_fuzz
$(TRUST_FUZZ): tests/trust/fuzz_trust.c $(wildcard src/oci/*.c) $(wildcard src/base/*.c) $(wildcard src/oci/*.h) include/oci.h include/oci_trust.h
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)clang -std=gnu11 -D_GNU_SOURCE -Iinclude -Isrc/oci -O1 -g \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    -o $@ $< $(wildcard src/oci/*.c) $(wildcard src/base/*.c) -lcurl -lcrypto -ljansson -lbpf -ldl
FUZZ_DEPS += $(TRUST_FUZZ)
