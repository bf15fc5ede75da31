// swift-tools-version: 5.9
// TincanKit: everything the iOS app is made of except its entry point — the app model's
// store, the Keychain secret store, background and notification handling, and the
// SwiftUI screens — over the Rust core.
//
// `tincan_ffiFFI` is the Rust library (a static library per platform in an
// XCFramework, with the generated C header and module map). It is built, not committed:
// run scripts/build-xcframework.sh first (macOS with Xcode). The name matches the
// module map's `module tincan_ffiFFI`, which the generated Swift imports.
//
// `TincanFFI` is the generated Swift binding. Its one source file is a symlink to
// bindings/generated/swift/TincanFFI.swift: the app compiles exactly the file that
// bindings/tests/generated_fresh.rs keeps equal to what the library exports, with no
// copy to go stale. SwiftPM does not allow a target's path outside the package root,
// but it follows a symlinked source file (the Swift project itself does this in
// Sources/PublicCorePortal of swiftlang/swift's Swiftify package).
//
// The library product is dynamic so the app and its hosted tests share one copy of
// the Rust library and of these modules.
import PackageDescription

let package = Package(
    name: "TincanKit",
    defaultLocalization: "en",
    platforms: [.iOS(.v16)],
    products: [
        .library(name: "TincanKit", type: .dynamic, targets: ["TincanKit"]),
    ],
    targets: [
        .binaryTarget(
            name: "tincan_ffiFFI",
            path: "Frameworks/tincan_ffiFFI.xcframework"
        ),
        .target(
            name: "TincanFFI",
            dependencies: ["tincan_ffiFFI"],
            path: "Sources/TincanFFI",
            linkerSettings: [
                // What the Rust dependencies call on Apple platforms: random numbers and
                // keychain access (Security), time zones (CoreFoundation).
                .linkedFramework("Security"),
                .linkedFramework("CoreFoundation"),
            ]
        ),
        .target(
            name: "TincanKit",
            dependencies: ["TincanFFI"],
            path: "Sources/TincanKit",
            resources: [.process("Resources")]
        ),
    ]
)
