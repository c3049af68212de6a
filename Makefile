# mlproof: two commands matter. `make run` builds and runs the demo end to end on the embedded
# DuckDB warehouse; `make test` runs every test (unit, pipeline and integration).
MVN ?= mvn -B -q
JAR := target/mlproof.jar
DEMO := build/demo

.PHONY: build run test bench format clean

build: $(JAR)

$(JAR): $(shell find pom.xml */pom.xml proto/src pipelines/src orchestrator/src cli/src -type f 2>/dev/null)
	$(MVN) -DskipTests install

# The main job on the embedded default: demo warehouse, then the demo DAG (see README).
run: $(JAR)
	bin/mlproof demo init --path $(DEMO)/warehouse.duckdb
	bin/mlproof dags run demo --logical-date 2024-06-03 --dags-folder dags --run-root $(DEMO)/runs --state $(DEMO)/state.sqlite

# Not quiet: CI reads Surefire's and Failsafe's closing "Tests run" lines. The Debian packages the
# tests need (.ci/debian-packages.txt) are installed first: no test skips for want of a tool.
test:
	bin/install-test-deps
	mvn -B -ntp verify

bench: $(JAR)
	bin/mlproof-bench
	bin/mlproof-bench-flink
	bin/mlproof-bench-dag --no-build --started-cluster 3

# google-java-format through Spotless; `make test` (mvn verify) checks it.
format:
	$(MVN) spotless:apply

clean:
	$(MVN) clean
	rm -rf build target
