# mk/c-guide.mk: the README's C guide, followed from scratch by its suite
# (tests/c-guide/run builds everything it needs with the command under test).

TEST_SUITES += c-guide
TEST_DEPS   += $(BIN)
