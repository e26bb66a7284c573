#!/bin/sh
# scripts/format.sh: lay the C sources out as .clang-format says.
#
#   scripts/format.sh            reformat every file in place
#   scripts/format.sh --check    change nothing; list the files that differ
#                                and how many lines would change; exit 1 if any
#   scripts/format.sh [--check] FILE...   only those files
#
# The files: src/ include/ sdk/c (.c and .h), and the .c files under tests/
# and bench/ (their .h files are mostly expected generator output, compared
# byte for byte).  Includes are never sorted (their order is by meaning and
# sometimes required: SortIncludes is off in .clang-format and here).
# Tables that are laid out by hand sit between `// clang-format off` and
# `// clang-format on`.  `make format` and `make format-check` call this.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

CLANG_FORMAT=${CLANG_FORMAT:-clang-format}
if ! command -v "$CLANG_FORMAT" >/dev/null 2>&1; then
    echo "format: $CLANG_FORMAT is not installed (scripts/install-deps.sh installs clang-format)" >&2
    exit 2
fi

check=false
if [ "${1:-}" = "--check" ]; then
    check=true
    shift
fi

list=$(mktemp)
trap 'rm -f "$list"' EXIT
if [ $# -gt 0 ]; then
    for f in "$@"; do
        [ -f "$f" ] || { echo "format: $f: no such file" >&2; exit 2; }
        echo "$f"
    done >"$list"
else
    git ls-files -- 'src/*.c' 'src/*.h' 'include/*.h' 'sdk/c/*.c' 'sdk/c/*.h' \
        'tests/*.c' 'bench/*.c' >"$list"
fi

files=0 changed=0 lines=0
while IFS= read -r f; do
    files=$((files + 1))
    if $check; then
        # lines that would change: removed plus added lines of the diff
        n=$("$CLANG_FORMAT" --style=file --sort-includes=0 "$f" | diff "$f" - | grep -c '^[<>]' || true)
        if [ "$n" -gt 0 ]; then
            echo "$f: $n lines"
            changed=$((changed + 1))
            lines=$((lines + n))
        fi
    else
        "$CLANG_FORMAT" --style=file --sort-includes=0 -i "$f"
    fi
done <"$list"

if $check; then
    echo "format-check: $changed of $files files differ from .clang-format ($lines lines changed)"
    [ "$changed" -eq 0 ]
else
    echo "format: $files files laid out as .clang-format says"
fi
