# tests/trust/registry_tests.sh: sourced by tests/trust/run.  Sign, verify
# and policy checks against docker-registry on 127.0.0.1; skopeo interop.
W=$WASM_BPF
missing=""
for tool in docker-registry skopeo curl python3 clang; do
    command -v "$tool" > /dev/null || missing="$missing $tool"
done
if [ -n "$missing" ]; then
    skip "registry tests: missing$missing (scripts/install-deps.sh installs them)"
    return 0
fi

T=$(mktemp -d /tmp/wasm-bpf-trust.XXXXXX)
PIDS=""
HERE_OCI=$WASM_BPF_TOP/tests/oci
trust_cleanup() {
    stop_servers
    rm -rf "$T"
}
trap trust_cleanup EXIT
export DOCKER_CONFIG=$T/docker XDG_CACHE_HOME=$T/cache HOME=$T/home
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY REGISTRY_AUTH_FILE
mkdir -p "$HOME"
HERE_SAVED=$HERE
HERE=$HERE_OCI
. "$HERE_OCI/registry.sh"
HERE=$HERE_SAVED

w() {
    "$W" "$@" > "$T/out" 2> "$T/err"
    RC=$?
}
diag() {
    [ -s "$T/err" ] && sed 's/^/        | /' "$T/err" | head -n 6
    return 0
}
expect() {
    if eval "$2"; then pass "$1"; else
        fail "$1"
        diag
    fi
}
err_has() { grep -q -- "$1" "$T/err"; }
out_has() { grep -q -- "$1" "$T/out"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

start_registry plain "" ""
if ! wait_registry plain; then
    fail "docker-registry did not start (log: $(tail -n 3 "$plain_DIR/log" 2> /dev/null))"
    return 0
fi
R=127.0.0.1:$plain_PORT
API=http://$R/v2
ACCEPT='Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json'
manifest_digest() { curl -s -o /dev/null -D - -H "$ACCEPT" "$API/$1/manifests/$2" | tr -d '\r' | awk 'tolower($1)=="docker-content-digest:"{print $2}'; }

# ---- modules ----
mkhello() {
    printf '#include <stdio.h>\nint main(void) { printf("%s\\n"); return 3; }\n' "$1" > "$T/$1.c"
    clang --target=wasm32-wasi -O2 "$T/$1.c" -o "$T/$1.wasm" 2> "$T/err"
}
if ! mkhello hello || ! mkhello other || ! mkhello third; then
    skip "registry tests: clang --target=wasm32-wasi cannot build a module here"
    return 0
fi
for m in hello other third; do
    w push -q "$R/m/$m:v1" "$T/$m.wasm"
done
w push -q "$R/m/moved:v1" "$T/hello.wasm"
w push -q "$R/m/unsigned:v1" "$T/hello.wasm"
D_HELLO=$(manifest_digest m/hello v1)

# ---- keys ----
cd "$T" || return 0
COSIGN_PASSWORD=pw-a w key generate --output-key-prefix a
expect "key generate: a.key (0600, ENCRYPTED COSIGN PRIVATE KEY) and a.pub" \
    '[ $RC = 0 ] && [ "$(stat -c %a a.key)" = 600 ] && grep -q "BEGIN ENCRYPTED COSIGN PRIVATE KEY" a.key && grep -q "BEGIN PUBLIC KEY" a.pub'
COSIGN_PASSWORD=pw-b w key generate --output-key-prefix b
COSIGN_PASSWORD=x w key generate --output-key-prefix a
expect "key generate: never overwrites an existing key" '[ $RC = 1 ] && err_has "refusing to overwrite"'
w key generate --output-key-prefix c < /dev/null
expect "key generate: no COSIGN_PASSWORD and no terminal: refused, says what to set" \
    '[ $RC = 1 ] && err_has "COSIGN_PASSWORD" && [ ! -e c.key ]'
cd - > /dev/null || return 0

# ---- sign / verify ----
COSIGN_PASSWORD=pw-a w sign -q --key "$T/a.key" "$R/m/hello:v1"
expect "sign: prints the signed manifest digest" '[ $RC = 0 ] && [ "$(cat "$T/out")" = "$D_HELLO" ]'
SIGTAG=sha256-${D_HELLO#sha256:}.sig
curl -s -H "$ACCEPT" "$API/m/hello/manifests/$SIGTAG" > "$T/sig.json"
expect "sign: a cosign signature manifest under the tag sha256-<hex>.sig" \
    'grep -q "application/vnd.dev.cosign.simplesigning.v1+json" "$T/sig.json" && grep -q "dev.cosignproject.cosign/signature" "$T/sig.json"'
COSIGN_PASSWORD=wrong w sign -q --key "$T/a.key" "$R/m/hello:v1"
expect "sign: a wrong password is refused" '[ $RC = 1 ] && err_has "wrong password"'
w verify --key "$T/a.pub" "$R/m/hello:v1"
FP=$(grep "key:" "$T/out" | awk '{print $2}')
expect "verify: prints digest, identity, key fingerprint" \
    '[ $RC = 0 ] && out_has "digest:      $D_HELLO" && out_has "identity:    $R/m/hello:v1" && out_has "key:         sha256:" && out_has "simple-signing"'
w verify --key "$T/b.pub" "$R/m/hello:v1"
expect "verify: a signature by another key is refused (exit 1)" '[ $RC = 1 ] && err_has "no signature by a trusted key"'
w verify --key "$T/a.pub" "$R/m/unsigned:v1"
expect "verify: an unsigned module: exit 1, no signature found" '[ $RC = 1 ] && err_has "no signature found"'
w verify --key "$T/a.pub" --key "$T/b.pub" "$R/m/hello@$D_HELLO"
expect "verify: by digest, any of several keys" '[ $RC = 0 ] && out_has "$FP"'

# a second signer adds a layer; inspect shows both
COSIGN_PASSWORD=pw-b w sign -q --key "$T/b.key" "$R/m/hello:v1"
w verify --key "$T/b.pub" "$R/m/hello:v1"
expect "sign: a second key adds its signature; both verify" '[ $RC = 0 ] && out_has "2 valid\|1 valid"'
w inspect --remote --signatures --verify-key "$T/a.pub" "$R/m/hello:v1"
python3 - "$T/out" "$D_HELLO" "$FP" > "$T/insp" 2>&1 << 'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["signatures"]
ok = [x for x in s if x["valid"] and x["key"] == sys.argv[3] and x["digest"] == sys.argv[2]]
other = [x for x in s if not x["valid"] and x.get("key") is None and x["identity"].endswith("/m/hello:v1")]
print("ok" if len(s) == 2 and len(ok) == 1 and len(other) == 1 and s[0]["format"] == "simple-signing" else s)
PY
expect "inspect --signatures --verify-key: both signatures listed, the one by the key marked valid" \
    '[ $RC = 0 ] && grep -qx ok "$T/insp"'
w inspect --verify-key "$T/a.pub" "$R/m/hello:v1"
expect "inspect --verify-key without --signatures: usage error" '[ $RC = 2 ]'

# tampered signature: one character of the base64 signature changed
python3 - "$T/sig.json" "$T/tampered.json" << 'PY'
import json, sys
m = json.load(open(sys.argv[1]))
a = m["layers"][0]["annotations"]
s = a["dev.cosignproject.cosign/signature"]
a["dev.cosignproject.cosign/signature"] = s[:20] + ("A" if s[20] != "A" else "B") + s[21:]
open(sys.argv[2], "w").write(json.dumps(m))
PY
w push -q "$R/m/tamper:v1" "$T/third.wasm"
D_T=$(manifest_digest m/tamper v1)
COSIGN_PASSWORD=pw-a w sign -q --key "$T/a.key" "$R/m/tamper:v1"
curl -s -H "$ACCEPT" "$API/m/tamper/manifests/sha256-${D_T#sha256:}.sig" > "$T/sig2.json"
python3 - "$T/sig2.json" "$T/tampered2.json" << 'PY'
import json, sys
m = json.load(open(sys.argv[1]))
a = m["layers"][0]["annotations"]
s = a["dev.cosignproject.cosign/signature"]
a["dev.cosignproject.cosign/signature"] = s[:20] + ("A" if s[20] != "A" else "B") + s[21:]
open(sys.argv[2], "w").write(json.dumps(m))
PY
curl -s -o /dev/null -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
    --data-binary @"$T/tampered2.json" "$API/m/tamper/manifests/sha256-${D_T#sha256:}.sig"
w verify --key "$T/a.pub" "$R/m/tamper:v1"
expect "verify: a tampered signature is refused" '[ $RC = 1 ] && err_has "no signature by a trusted key"'

# a signature for another digest: hello's signature manifest copied to other's tag
D_OTHER=$(manifest_digest m/other v1)
curl -s -o /dev/null -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
    --data-binary @"$T/sig.json" "$API/m/other/manifests/sha256-${D_OTHER#sha256:}.sig"
# (its payload and config blobs must exist in that repository)
for d in $(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["config"]["digest"]); [print(l["digest"]) for l in m["layers"]]' "$T/sig.json"); do
    curl -s -o /dev/null -X POST "$API/m/other/blobs/uploads/?mount=$d&from=m/hello"
done
curl -s -o /dev/null -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
    --data-binary @"$T/sig.json" "$API/m/other/manifests/sha256-${D_OTHER#sha256:}.sig"
w verify --key "$T/a.pub" "$R/m/other:v1"
expect "verify: a valid signature of another digest is refused, naming it" \
    '[ $RC = 1 ] && err_has "signature is for another digest" && err_has "$D_HELLO"'

# a tag moved after signing
COSIGN_PASSWORD=pw-a w sign -q --key "$T/a.key" "$R/m/moved:v1"
w push -q "$R/m/moved:v1" "$T/other.wasm"
w verify --key "$T/a.pub" "$R/m/moved:v1"
expect "verify: a tag moved after signing has no signature" '[ $RC = 1 ] && err_has "no signature found"'

# the bundle format alone: sign --bundle, then delete the simple-signing manifest
w push -q "$R/m/bundled:v1" "$T/third.wasm"
COSIGN_PASSWORD=pw-a w sign -q --bundle --key "$T/a.key" "$R/m/bundled:v1"
D_B=$(manifest_digest m/bundled v1)
SD=$(manifest_digest m/bundled "sha256-${D_B#sha256:}.sig")
curl -s -o /dev/null -X DELETE "$API/m/bundled/manifests/$SD"
curl -s -H "$ACCEPT" "$API/m/bundled/manifests/sha256-${D_B#sha256:}" > "$T/refidx.json"
expect "sign --bundle: a referrers index under sha256-<hex> lists a sigstore bundle (registry without referrers API)" \
    'grep -q "application/vnd.dev.sigstore.bundle.v0.3+json" "$T/refidx.json"'
w verify --key "$T/a.pub" "$R/m/bundled:v1"
expect "verify: a Sigstore bundle alone (DSSE, in-toto) is enough" '[ $RC = 0 ] && out_has "sigstore-bundle"'
w verify --key "$T/b.pub" "$R/m/bundled:v1"
expect "verify: a bundle by another key is refused" '[ $RC = 1 ]'

# ---- policy on run and pull ----
cat > "$T/policy.json" << JSON
{"default": [{"type": "reject"}],
 "transports": {"docker": {
   "$R/m": [{"type": "sigstoreSigned", "keyPath": "$T/a.pub"}],
   "$R/m/unsigned": [{"type": "insecureAcceptAnything"}],
   "$R/m/rejected": [{"type": "reject"}]}}}
JSON
S1=$T/store1
w run -q --store "$S1" --policy "$T/policy.json" "$R/m/hello:v1"
expect "run --policy: a signed module runs" '[ $RC = 3 ] && out_has hello'
w run -q --store "$S1" --policy "$T/policy.json" "$R/m/third:v1"
expect "run --policy: missing signature: exit 125 naming reference, digest and requirement" \
    '[ $RC = 125 ] && err_has "$R/m/third:v1" && err_has "sha256:" && err_has "sigstoreSigned failed" && ! out_has third'
expect "run --policy: the refused module never entered the store" \
    '[ ! -e "$S1/blobs/sha256/$(sha "$T/third.wasm")" ]'
w run -q --store "$S1" --policy "$T/policy.json" "$R/m/unsigned:v1"
expect "run --policy: an insecureAcceptAnything scope runs unsigned modules" '[ $RC = 3 ]'
w push -q "$R/m/rejected:v1" "$T/hello.wasm"
w run -q --store "$S1" --policy "$T/policy.json" "$R/m/rejected:v1"
expect "run --policy: a reject scope refuses even a known module (exit 125)" '[ $RC = 125 ] && err_has "reject"'
w push -q "$R/x/other:v1" "$T/other.wasm"
w run -q --store "$S1" --policy "$T/policy.json" "$R/x/other:v1"
expect "run --policy: the default (reject) applies outside the scopes" '[ $RC = 125 ] && err_has "default"'
(cd "$T" && COSIGN_PASSWORD=pw-z "$W" key generate --output-key-prefix z 2> /dev/null)
w run -q --store "$S1" --verify-key "$T/z.pub" "$R/m/hello:v1"
expect "run --verify-key: a module in the store signed by another key is refused (re-verified)" \
    '[ $RC = 125 ] && err_has "no signature by a trusted key"'
w pull -q --store "$T/store2" --verify-key "$T/a.pub" "$R/m/other:v1"
expect "pull --verify-key: refused (another digest's signature): exit 125, store holds no module" \
    '[ $RC = 125 ] && [ ! -e "$T/store2/blobs/sha256/$(sha "$T/other.wasm")" ]'
w pull -q --store "$T/store2" --verify-key "$T/a.pub" "$R/m/hello:v1"
expect "pull --verify-key: a signed module is pulled" '[ $RC = 0 ] && [ "$(cat "$T/out")" = "$D_HELLO" ]'
w run -q --store "$T/store3" "$R/m/unsigned:v1"
expect "run without a policy: unsigned modules still run (today's behaviour)" '[ $RC = 3 ]'
echo '{"default": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/x"}]}' > "$T/gpg.json"
w run -q --store "$S1" --policy "$T/gpg.json" "$R/m/hello:v1"
expect "run --policy with a GPG requirement: refused with the reason, nothing run" \
    '[ $RC = 125 ] && err_has "GPG" && ! out_has hello'

# ---- skopeo 1.9 as the independent implementation ----
# Debian builds skopeo without sigstore ("Debian-local change: sigstore
# disabled"): it can neither sign with a sigstore key nor check a
# sigstoreSigned policy.  Both checks then skip with skopeo's own words;
# with an upstream skopeo they run.
mkdir -p "$T/registries.d"
printf 'default-docker:\n  use-sigstore-attachments: true\n' > "$T/registries.d/default.yaml"
printf 'pw-a' > "$T/pw-a"
SK="skopeo --registries.d $T/registries.d"
sigstore_disabled() { grep -o 'Debian-local change: sigstore disabled' "$T/err" | head -n 1; }
$SK --insecure-policy copy --src-tls-verify=false --dest-tls-verify=false --preserve-digests \
    --sign-by-sigstore-private-key "$T/a.key" --sign-passphrase-file "$T/pw-a" \
    "docker://$R/m/unsigned:v1" "docker://$R/m/byskopeo:v1" > "$T/out" 2> "$T/err"
SKRC=$?
if [ -n "$(sigstore_disabled)" ]; then
    skip "interop: skopeo signs with our key, wasm-bpf verify accepts: this skopeo says \"$(sigstore_disabled)\""
elif [ $SKRC = 0 ]; then
    w verify --key "$T/a.pub" "$R/m/byskopeo:v1"
    expect "interop: skopeo signs with a key from wasm-bpf key generate; wasm-bpf verify accepts it" \
        '[ $RC = 0 ] && out_has "identity:    $R/m/byskopeo:v1"'
else
    fail "interop: skopeo copy --sign-by-sigstore-private-key with our key failed (exit $SKRC)"
    diag
fi
for k in a b; do
    cat > "$T/skopeo-policy-$k.json" << JSON
{"default": [{"type": "reject"}],
 "transports": {"docker": {"$R/m": [{"type": "sigstoreSigned", "keyPath": "$T/$k.pub"}]},
                "dir": {"": [{"type": "insecureAcceptAnything"}]}}}
JSON
done
$SK --policy "$T/skopeo-policy-a.json" copy --src-tls-verify=false "docker://$R/m/hello:v1" "dir:$T/skopeo-out-a" \
    > "$T/out" 2> "$T/err"
SKRC=$?
if [ -n "$(sigstore_disabled)" ]; then
    skip "interop: skopeo's sigstoreSigned policy checks wasm-bpf sign's signature: this skopeo says \"$(sigstore_disabled)\""
else
    expect "interop: skopeo's own sigstoreSigned policy accepts a module signed by wasm-bpf sign" '[ $SKRC = 0 ]'
    $SK --policy "$T/skopeo-policy-b.json" copy --src-tls-verify=false "docker://$R/m/hello:v1" \
        "dir:$T/skopeo-out-b" > "$T/out" 2> "$T/err"
    expect "interop: skopeo refuses it under another key (the check is real)" '[ $? != 0 ]'
fi
# what Debian's skopeo can check: the signature manifest is an ordinary OCI
# manifest it copies byte for byte, and the payload blob hashes to its name
curl -s -H "$ACCEPT" "$API/m/hello/manifests/$SIGTAG" > "$T/sig.json"
skopeo inspect --raw --tls-verify=false "docker://$R/m/hello:$SIGTAG" > "$T/sk-sig.json" 2> "$T/err"
expect "interop: skopeo reads the signature manifest byte for byte" 'cmp -s "$T/sk-sig.json" "$T/sig.json"'
