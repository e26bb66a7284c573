# mk/metrics.mk: `run --metrics` and `run --ready-file` (src/cli/metrics.c)
# against a running guest, scraped by curl and by a real Prometheus
# (tests/metrics/run).  The guests are the examples' and tests/bpf's.

TEST_DEPS   += $(BUILD)/examples/execsnoop/execsnoop.wasm $(BUILD)/tests/bpf/stop.wasm \
               $(BUILD)/tests/wasi/sleep.wasm
TEST_SUITES += metrics
