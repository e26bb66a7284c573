#!/usr/bin/env python3
"""mklayout.py formats DIR MODULE
   mklayout.py index DIR MODULE_A MODULE_B

Write an OCI image layout by hand (oci-layout, index.json with ref.name
tags, blobs/sha256/...), for skopeo to copy into a registry, so that what
we pull was produced by other tools' conventions, not by our own push.

formats: three manifests for MODULE, tagged
    ecli  what ecli/bpf-oci pushes: no top-level mediaType, config `{}`
          application/vnd.wasm.config.v1+json, layer ...content.layer.v1+wasm
          without annotations, the title as a manifest annotation
    cncf  CNCF TAG-Runtime: config v0 (architecture wasm, os wasip1,
          layerDigests), layer application/wasm with a title
    oras  ORAS / OCI 1.1: artifactType, the empty config with inline data,
          layer application/wasm with a title
index: image indexes, tagged
    multi    wasip1/wasm -> MODULE_A, linux/arm64 -> MODULE_B
    nomatch  linux/s390x and linux/mips64le -> MODULE_B"""
import hashlib
import json
import os
import sys


class Layout:
    def __init__(self, root):
        self.root = root
        os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)
        with open(os.path.join(root, "oci-layout"), "w") as f:
            f.write('{"imageLayoutVersion":"1.0.0"}')
        self.tags = []

    def blob(self, data):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        with open(os.path.join(self.root, "blobs", "sha256", digest[7:]), "wb") as f:
            f.write(data)
        return digest, len(data)

    def json_blob(self, obj):
        return self.blob(json.dumps(obj, separators=(",", ":"), sort_keys=True).encode())

    def desc(self, media_type, content, **extra):
        digest, size = self.blob(content) if isinstance(content, bytes) else self.json_blob(content)
        d = {"mediaType": media_type, "digest": digest, "size": size}
        d.update(extra)
        return d

    def tag(self, name, descriptor):
        d = dict(descriptor)
        d["annotations"] = {"org.opencontainers.image.ref.name": name}
        self.tags.append(d)

    def write_index(self):
        index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                 "manifests": self.tags}
        with open(os.path.join(self.root, "index.json"), "w") as f:
            json.dump(index, f)


OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"


def ecli_manifest(lay, module):
    config = lay.desc("application/vnd.wasm.config.v1+json", b"{}")
    layer = lay.desc("application/vnd.wasm.content.layer.v1+wasm", module)
    # ecli: no mediaType field, title at manifest level only
    return {"schemaVersion": 2, "config": config, "layers": [layer],
            "annotations": {"org.opencontainers.image.title": "module.wasm"}}


def formats(root, module_path):
    module = open(module_path, "rb").read()
    lay = Layout(root)
    lay.tag("ecli", lay.desc(OCI_MANIFEST, ecli_manifest(lay, module)))

    layer = lay.desc("application/wasm", module, annotations={"org.opencontainers.image.title": "module.wasm"})
    config = lay.desc("application/vnd.wasm.config.v0+json",
                      {"architecture": "wasm", "os": "wasip1", "created": "2024-01-01T00:00:00Z",
                       "layerDigests": [layer["digest"]]})
    cncf = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config, "layers": [layer]}
    lay.tag("cncf", lay.desc(OCI_MANIFEST, cncf))

    empty = lay.desc("application/vnd.oci.empty.v1+json", b"{}", data="e30=")
    oras = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": "application/vnd.example.module",
            "config": empty, "layers": [layer],
            "annotations": {"org.opencontainers.image.created": "2024-01-01T00:00:00Z"}}
    lay.tag("oras", lay.desc(OCI_MANIFEST, oras))
    lay.write_index()


def index(root, path_a, path_b):
    lay = Layout(root)
    a = lay.desc(OCI_MANIFEST, ecli_manifest(lay, open(path_a, "rb").read()))
    b = lay.desc(OCI_MANIFEST, ecli_manifest(lay, open(path_b, "rb").read()))

    def entry(d, os_, arch):
        e = dict(d)
        e["platform"] = {"os": os_, "architecture": arch}
        return e

    multi = {"schemaVersion": 2, "mediaType": OCI_INDEX,
             "manifests": [entry(b, "linux", "arm64"), entry(a, "wasip1", "wasm")]}
    lay.tag("multi", lay.desc(OCI_INDEX, multi))
    nomatch = {"schemaVersion": 2, "mediaType": OCI_INDEX,
               "manifests": [entry(b, "linux", "s390x"), entry(b, "linux", "mips64le")]}
    lay.tag("nomatch", lay.desc(OCI_INDEX, nomatch))
    lay.write_index()


if sys.argv[1] == "formats":
    formats(sys.argv[2], sys.argv[3])
elif sys.argv[1] == "index":
    index(sys.argv[2], sys.argv[3], sys.argv[4])
else:
    sys.exit("usage: mklayout.py formats DIR MODULE | index DIR MODULE_A MODULE_B")
