# Test programs and scripts of modules are listed in each module's local.mk.
EXTRA_DIST += tests/integration/lib.sh
