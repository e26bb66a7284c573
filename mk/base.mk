# mk/base.mk: the base part's tests.
#   tests/base/run       the suite: runs base-test
#   base-test            unit checks of src/base (sizes, buffers, files,
#                        paths, the print channel) and of the WASI errno table
#   fail_malloc.so       out of memory at every point of a few commands: an
#                        error, never a crash or an abort (the library's policy)

BASE_TEST := $(BUILD)/tests/base/base-test
BASE_FAIL_MALLOC := $(BUILD)/tests/base/fail_malloc.so
BASE_SRCS := $(wildcard src/base/*.c)

TEST_SUITES += base
TEST_DEPS   += $(BASE_TEST) $(BASE_FAIL_MALLOC)

# an LD_PRELOAD shim that makes allocations fail from a given point on
# (no sanitizer flags: it replaces malloc)
$(BASE_FAIL_MALLOC): tests/base/fail_malloc.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -std=gnu11 -Wall -Wextra -Werror -O2 -shared -fPIC -o $@ $<

$(BASE_TEST): tests/base/base_test.c $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(LDLIBS_ALL)

-include $(BASE_TEST).d
