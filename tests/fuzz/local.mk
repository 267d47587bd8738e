# tests/fuzz — libFuzzer targets for every parser of untrusted bytes (see
# tests/fuzz/README.md). Built by tests/fuzz/build.sh with clang, not by make;
# make check only runs a short smoke pass (skipped without clang/libFuzzer).
TESTS += tests/integration/fuzz_smoke.sh
EXTRA_DIST += tests/fuzz

# The smoke test's clang build lives in the build tree.
clean-local: clean-local-fuzz
clean-local-fuzz:
	-rm -rf build-fuzz-smoke
.PHONY: clean-local-fuzz
