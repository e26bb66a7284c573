#!/bin/sh
# mkguest.sh TEMPLATE.wat PRELUDE.wat OBJECT TRIGGER OUT.wat
# Fill a hostile-guest template: ";;@PRELUDE@" becomes the shared prelude
# (imports, memory, helpers), ";;@OBJECT@" a data segment at 65536 with
# the BPF object's bytes, @OBJLEN@ its length, @TRIGGER@ the path of the
# native trigger binary.
set -eu
template=$1 prelude=$2 object=$3 trigger=$4 out=$5
len=$(wc -c < "$object")
fill() {
    while IFS= read -r line; do
        case $line in
            *";;@PRELUDE@"*) fill < "$prelude" ;;
            *";;@OBJECT@"*)
                printf '  (data (i32.const 65536) "'
                od -An -v -tx1 "$object" | tr -d ' \n' | sed 's/../\\&/g'
                printf '")\n' ;;
            *) printf '%s\n' "$line" | sed -e "s|@OBJLEN@|$len|g" -e "s|@TRIGGER@|$trigger|g" ;;
        esac
    done
}
fill < "$template" > "$out.tmp"
mv "$out.tmp" "$out"
