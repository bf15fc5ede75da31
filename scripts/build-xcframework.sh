#!/usr/bin/env bash
# Builds the Rust library for the iOS app: a static library for devices
# (aarch64-apple-ios) and one for the simulator (aarch64-apple-ios-sim and
# x86_64-apple-ios joined with lipo), with the generated C header and module map, as
#   ios/TincanKit/Frameworks/tincan_ffiFFI.xcframework
# which ios/TincanKit/Package.swift references (binary target `tincan_ffiFFI`, the
# module map's name). It is build output, not committed (ios/.gitignore).
#
# The Swift half of the bindings is not copied anywhere: the package's
# Sources/TincanFFI/TincanFFI.swift is a symlink to bindings/generated/swift/. Before
# building, this checks that bindings/generated matches the library (scripts/
# gen-bindings --check), so the app never compiles bindings of another version.
#
#   scripts/build-xcframework.sh                   device + simulator, release
#   scripts/build-xcframework.sh --simulator-only  simulator slices only (CI, quicker)
#
# Needs macOS with Xcode and the Rust iOS targets:
#   rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios
# NOT runnable on the Linux build machines (no Xcode, no Apple SDKs).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(uname -s)" != Darwin ] || ! command -v xcodebuild >/dev/null; then
  echo "build-xcframework: needs macOS with Xcode (xcodebuild); nothing was built" >&2
  exit 1
fi
simulator_only=false
case "${1:-}" in
  "") ;;
  --simulator-only) simulator_only=true ;;
  *) echo "usage: $0 [--simulator-only]" >&2; exit 2 ;;
esac

scripts/gen-bindings --check

profile=release
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
# The app's minimum iOS (ios/project.yml, Package.swift): objects built for it link
# without "built for newer iOS" warnings.
export IPHONEOS_DEPLOYMENT_TARGET=16.0
sim_targets=(aarch64-apple-ios-sim x86_64-apple-ios)
targets=("${sim_targets[@]}")
$simulator_only || targets+=(aarch64-apple-ios)
for t in "${targets[@]}"; do
  cargo build --locked -p tincan-bindings --lib --release --target "$t"
done

work="$target_dir/xcframework"
rm -rf "$work"; mkdir -p "$work/headers" "$work/sim"
cp bindings/generated/swift/tincan_ffiFFI.h "$work/headers/"
# Xcode looks for module.modulemap at the top of an XCFramework slice's Headers.
cp bindings/generated/swift/tincan_ffiFFI.modulemap "$work/headers/module.modulemap"
lipo -create \
  "$target_dir/aarch64-apple-ios-sim/$profile/libtincan_ffi.a" \
  "$target_dir/x86_64-apple-ios/$profile/libtincan_ffi.a" \
  -output "$work/sim/libtincan_ffi.a"

libraries=(-library "$work/sim/libtincan_ffi.a" -headers "$work/headers")
$simulator_only || libraries+=(
  -library "$target_dir/aarch64-apple-ios/$profile/libtincan_ffi.a" -headers "$work/headers"
)
out=ios/TincanKit/Frameworks/tincan_ffiFFI.xcframework
rm -rf "$out"; mkdir -p "$(dirname "$out")"
xcodebuild -create-xcframework "${libraries[@]}" -output "$out"
echo "build-xcframework: $out ($($simulator_only && echo "simulator only" || echo "device and simulator"))"
echo "build-xcframework: next: cd ios && xcodegen generate && open Tincan.xcodeproj"
