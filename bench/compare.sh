#!/usr/bin/env bash
# The side-by-side harness: our ingest and read against numpy and the machine's limits, in one
# session, plus the small-operation targets. See bench/README.md.
#
#   bench/compare.sh                 # full run (about 5-10 minutes), table on stdout
#   bench/compare.sh --quick         # smoke run (well under a minute)
#   bench/compare.sh --help          # options (--size, --reps, --dir, --keys, --sections, --out ...)
#
# Builds bench/target/benchmarks.jar when it is missing (./mvnw -pl bench package; the library must
# be installed first: ./mvnw -pl java -am -DskipTests install). JAVA_OPTS overrides the JVM
# options (default "-Xmx12g -XX:+UseTransparentHugePages": the heap holds the float[] of the
# "from a Java array" row, on huge pages as numpy's arrays are).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
jar="$here/target/benchmarks.jar"

find_java() {
    if [[ -n "${MMAPPICKLE_JAVA:-}" ]]; then echo "$MMAPPICKLE_JAVA"; return; fi
    for j in "${JAVA_HOME:-}/bin/java" /usr/lib/jvm/temurin-25-jdk-amd64/bin/java "$(command -v java || true)"; do
        if [[ -x "$j" ]] && "$j" -version 2>&1 | grep -Eq 'version "(2[2-9]|[3-9][0-9])'; then echo "$j"; return; fi
    done
    echo "compare.sh: no Java 22+ found (set MMAPPICKLE_JAVA or JAVA_HOME)" >&2
    exit 1
}
java="$(find_java)"

if [[ ! -f "$jar" ]]; then
    echo "compare.sh: building $jar" >&2
    (cd "$root" && ./mvnw -B -q -pl bench package -DskipTests)
fi

# shellcheck disable=SC2086
exec "$java" ${JAVA_OPTS:--Xmx12g -XX:+UseTransparentHugePages} --enable-native-access=ALL-UNNAMED \
    -cp "$jar" org.mmappickle.bench.Compare "$@"
