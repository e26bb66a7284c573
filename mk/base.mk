# mk/base.mk: the base part's tests.
#   tests/base/run       the suite: runs base-test
#   base-test            unit checks of src/base (sizes, buffers, files,
#                        paths, the print channel) and of the WASI errno table

BASE_TEST := $(BUILD)/tests/base/base-test
BASE_SRCS := $(wildcard src/base/*.c)

TEST_SUITES += base
TEST_DEPS   += $(BASE_TEST)

$(BASE_TEST): tests/base/base_test.c $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(LDLIBS_ALL)

-include $(BASE_TEST).d
