#!/usr/bin/env python3
"""daemonset-pod.py RENDERED.yaml DIR: the pod a node would run for the
DaemonSet of a rendered kustomization (`kubectl kustomize`), as a Pod that
`podman kube play` runs: DIR/pod.yaml.

The pod template is kept as it is (command, args, env, capabilities,
securityContext, mounts, resources, probes).  What only a kubelet provides
is done here: the ConfigMap and Secret volumes become directories under DIR
holding the files the kubelet would project (keys, or `items`), mounted as
hostPath volumes at the same paths; a container's seccompProfile is also
given as the annotation podman reads.  --host-network adds hostNetwork (the
test's registry listens on the host's loopback only) and drops the
containers' port declarations, which a host-network pod does not map."""
import base64
import os
import sys

import yaml


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    host_network = "--host-network" in sys.argv[1:]
    if len(args) != 2:
        sys.exit("usage: daemonset-pod.py [--host-network] RENDERED.yaml DIR")
    rendered, out = args
    with open(rendered) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d["kind"], {})[d["metadata"]["name"]] = d
    daemonsets = list(by_kind.get("DaemonSet", {}).values())
    if len(daemonsets) != 1:
        sys.exit("daemonset-pod.py: %s: expected one DaemonSet, found %d" % (rendered, len(daemonsets)))
    ds = daemonsets[0]
    template = ds["spec"]["template"]
    spec = template["spec"]

    for vol in spec.get("volumes", []):
        if "configMap" in vol:
            src = vol.pop("configMap")
            cm = by_kind.get("ConfigMap", {}).get(src["name"])
            if cm is None:
                sys.exit("daemonset-pod.py: volume %s: no ConfigMap %s" % (vol["name"], src["name"]))
            data = {k: v.encode() for k, v in cm.get("data", {}).items()}
        elif "secret" in vol:
            src = vol.pop("secret")
            sec = by_kind.get("Secret", {}).get(src["secretName"])
            if sec is None:
                sys.exit("daemonset-pod.py: volume %s: no Secret %s" % (vol["name"], src["secretName"]))
            data = {k: base64.b64decode(v) for k, v in sec.get("data", {}).items()}
        else:
            continue
        directory = os.path.join(os.path.abspath(out), "volume-" + vol["name"])
        os.makedirs(directory, exist_ok=True)
        items = src.get("items") or [{"key": k, "path": k} for k in data]
        for item in items:
            if item["key"] not in data:
                sys.exit("daemonset-pod.py: volume %s: no key %s" % (vol["name"], item["key"]))
            with open(os.path.join(directory, item["path"]), "wb") as f:
                f.write(data[item["key"]])
        vol["hostPath"] = {"path": directory, "type": "Directory"}

    # podman 4.3 reads a seccomp profile only from the annotations that
    # carried it before securityContext.seccompProfile (Kubernetes 1.19)
    annotations = dict(template.get("metadata", {}).get("annotations", {}))
    kinds = {"Unconfined": "unconfined", "RuntimeDefault": "runtime/default"}
    for c in spec.get("containers", []):
        profile = c.get("securityContext", {}).get("seccompProfile")
        if profile:
            if profile["type"] in kinds:
                value = kinds[profile["type"]]
            else:
                value = "localhost/" + profile["localhostProfile"]
            annotations["container.seccomp.security.alpha.kubernetes.io/" + c["name"]] = value

    if host_network:
        # the pod's ports are then the node's: podman refuses mappings
        spec["hostNetwork"] = True
        for c in spec.get("containers", []):
            c.pop("ports", None)
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": ds["metadata"]["name"],
            "labels": template.get("metadata", {}).get("labels", {}),
            "annotations": annotations,
        },
        "spec": spec,
    }
    with open(os.path.join(out, "pod.yaml"), "w") as f:
        yaml.safe_dump(pod, f, default_flow_style=False)


main()
