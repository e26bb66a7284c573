# mk/new-user.mk: `wasm-bpf new` and `wasm-bpf build` as a new user takes
# them (tests/new-user builds everything it needs with the command under
# test, from the templates in templates/ and the SDK in sdk/).

TEST_SUITES += new-user
TEST_DEPS   += $(BIN)
