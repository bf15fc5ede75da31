#!/usr/bin/env bash
# Compiles the generated Swift bindings with TincanFFITests.swift against the host
# build of libtincan_ffi and runs it. Needs a Swift toolchain (swiftc); the cargo
# test bindings/tests/swift_bindings.rs calls this where one exists.
#   TINCAN_LIB_DIR=<cargo target>/debug bindings/swift-tests/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
gen="$here/../generated/swift"
lib_dir="${TINCAN_LIB_DIR:-${CARGO_TARGET_DIR:-$here/../../target}/debug}"
out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT
# The module map names the C header; the generated Swift imports it as tincan_ffiFFI.
swiftc -O -module-name TincanFFITests \
  -Xcc -fmodule-map-file="$gen/tincan_ffiFFI.modulemap" -I "$gen" \
  -L "$lib_dir" -ltincan_ffi \
  "$gen/TincanFFI.swift" "$here/TincanFFITests.swift" -o "$out/tincan-swift-tests"
LD_LIBRARY_PATH="$lib_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
DYLD_LIBRARY_PATH="$lib_dir${DYLD_LIBRARY_PATH:+:$DYLD_LIBRARY_PATH}" \
  "$out/tincan-swift-tests"
