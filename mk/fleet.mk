# mk/fleet.mk: the runtime as an OCI container image, and its Kubernetes deployment
# (deploy/kubernetes, README "Running on a fleet").
#   make image                  build $(BUILD)/image/oci (an OCI image layout, tag IMAGE_TAG)
#                               with scripts/image-build.sh: no daemon, no image builder;
#                               prints the image's size
#   make image-push REGISTRY=host[:port][/namespace]
#                               copy it with skopeo to REGISTRY/IMAGE_NAME:IMAGE_TAG;
#                               IMAGE_TLS_VERIFY=false for a plain-HTTP or self-signed registry
# Labels: IMAGE_SOURCE (default: the clone's origin URL), IMAGE_LICENSES (the
# tree declares none: NOASSERTION unless given), IMAGE_REVISION (git HEAD).

IMAGE_DIR        := $(BUILD)/image
IMAGE_STAMP      := $(IMAGE_DIR)/oci/index.json
IMAGE_NAME       ?= wasm-bpf
IMAGE_TAG        ?= $(shell sed -n 's/^\#define WASM_BPF_VERSION "\(.*\)"/\1/p' src/cli/cli.h)
IMAGE_TLS_VERIFY ?= true
IMAGE_REVISION   ?= $(shell git rev-parse HEAD 2>/dev/null)

.PHONY: image image-push
image: $(IMAGE_STAMP)
	@cat $(IMAGE_DIR)/summary

# The image holds the command and what it loads: rebuilt when either changes.
$(IMAGE_STAMP): $(BIN) scripts/image-build.sh mk/fleet.mk src/oci/libs.c src/oci/trust_libs.c
	@echo "  IMAGE   $(IMAGE_DIR)"
	$(Q)IMAGE_TAG=$(IMAGE_TAG) IMAGE_REVISION=$(IMAGE_REVISION) scripts/image-build.sh $(BIN) $(IMAGE_DIR)

image-push: $(IMAGE_STAMP)
	@test -n "$(REGISTRY)" || { echo "make image-push: set REGISTRY=host[:port][/namespace]" >&2; exit 2; }
	skopeo copy --dest-tls-verify=$(IMAGE_TLS_VERIFY) \
	    oci:$(IMAGE_DIR)/oci:$(IMAGE_TAG) docker://$(REGISTRY)/$(IMAGE_NAME):$(IMAGE_TAG)

# tests/fleet checks the image, the manifests of deploy/kubernetes and runs
# the pod under podman.
TEST_SUITES += fleet
TEST_DEPS   += $(IMAGE_STAMP)
