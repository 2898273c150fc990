#!/usr/bin/env bash
# Regenerates the FFM bindings of native/mmappickle_native.h with jextract (https://jdk.java.net/jextract/).
# jextract cannot be installed on the project's build machines, so the output is checked in;
# run this where jextract is on the PATH after changing the header, then run the tests:
# BindingsMatchHeaderTest proves the checked-in bindings match the header.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
command -v jextract >/dev/null || { echo "regenerate.sh: jextract is not on the PATH (get it from https://jdk.java.net/jextract/)" >&2; exit 1; }
out="$top/bindings/src/main/java"
pkg=org.mmappickle.internal.bindings
args=(--target-package "$pkg" --header-class-name mmappickle_native_h --output "$out")
for f in $(sed -n 's/^\(int64_t\|int\) \(mmp_[a-z_]*\)(.*/\2/p' "$top/native/mmappickle_native.h"); do
  args+=(--include-function "$f")
done
for c in $(sed -n 's/^#define \(MMP_[A-Z0-9_]*\) .*/\1/p' "$top/native/mmappickle_native.h"); do
  args+=(--include-constant "$c")
done
# keep the hand-written package-info.java (it documents this command)
cp "$out/${pkg//.//}/package-info.java" /tmp/mmp-package-info.java
jextract "${args[@]}" "$top/native/mmappickle_native.h"
cp /tmp/mmp-package-info.java "$out/${pkg//.//}/package-info.java"
echo "regenerated $out/${pkg//.//}"
