#!/usr/bin/env bash
# Builds TincanFFI.xcframework for the iOS app: the static library for devices and
# for the simulator (arm64 + x86_64), with the generated C header and module map.
# Needs macOS with Xcode and the Rust iOS targets:
#   rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios
# NOT runnable on the Linux build machines (no Xcode, no Apple SDKs); written and kept
# next to scripts/gen-bindings so the iOS build uses the same generated sources.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(uname -s)" != Darwin ] || ! command -v xcodebuild >/dev/null; then
  echo "build-xcframework: needs macOS with Xcode (xcodebuild); nothing was built" >&2
  exit 1
fi
profile=release
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
for t in aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios; do
  cargo build --locked -p tincan-bindings --lib --release --target "$t"
done
out=build/ios; rm -rf "$out"; mkdir -p "$out/headers" "$out/sim"
cp bindings/generated/swift/tincan_ffiFFI.h "$out/headers/"
# Xcode looks for module.modulemap inside an XCFramework's Headers.
cp bindings/generated/swift/tincan_ffiFFI.modulemap "$out/headers/module.modulemap"
lipo -create \
  "$target_dir/aarch64-apple-ios-sim/$profile/libtincan_ffi.a" \
  "$target_dir/x86_64-apple-ios/$profile/libtincan_ffi.a" \
  -output "$out/sim/libtincan_ffi.a"
xcodebuild -create-xcframework \
  -library "$target_dir/aarch64-apple-ios/$profile/libtincan_ffi.a" -headers "$out/headers" \
  -library "$out/sim/libtincan_ffi.a" -headers "$out/headers" \
  -output "$out/TincanFFI.xcframework"
echo "build-xcframework: $out/TincanFFI.xcframework (add bindings/generated/swift/TincanFFI.swift to the app's Swift package)"
