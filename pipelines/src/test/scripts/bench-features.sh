#!/usr/bin/env bash
# The features benchmark in a forked JVM (mvn exec:java breaks Flink's class loading).
# Usage: pipelines/src/test/scripts/bench-features.sh [users] [work dir] [runners]
# Example: pipelines/src/test/scripts/bench-features.sh 93000 build/bench/features flink,flink,direct
set -euo pipefail
cd "$(dirname "$0")/../../../.."
mvn -o -q -B -pl pipelines -am test-compile
mvn -o -q -B -pl pipelines dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/target/bench.classpath"
CP="proto/target/classes:pipelines/target/classes:pipelines/target/test-classes:$(cat target/bench.classpath)"
exec java -Xmx6g -XX:+UseParallelGC ${BENCH_JAVA_OPTS:-} \
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED \
  --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
  -cp "$CP" io.mlproof.bench.FeaturesBenchmark "$@"
