// The `ui` module as an Android library: the same src/main/kotlin and src/main/res that
// pom.xml compiles for the desktop JVM, plus the Android flavour of the UniFFI bindings.
//
// Why the bindings are generated here and not in `app`: the screens and AppState use
// the bindings' types (AppModel, AppView, Action), so the module that compiles them must
// compile the bindings too, and `app` sees them through its dependency on `ui`. The
// desktop build adds the committed plain-JVM flavour (bindings/generated/kotlin); this
// build generates the `android = true` flavour (Android's cleaner, android.os.Build,
// androidx.annotation), which does not compile on a plain JVM, into build/generated.
import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    alias(libs.plugins.android.library)
    alias(libs.plugins.kotlin.android)
    alias(libs.plugins.kotlin.compose)
}

// The Rust workspace is the directory above android/.
val workspace: File = rootDir.parentFile
val uniffiKotlin: Provider<Directory> = layout.buildDirectory.dir("generated/uniffi/kotlin")

android {
    namespace = "app.tincan.ui"
    compileSdk = libs.versions.compileSdk.get().toInt()
    defaultConfig {
        minSdk = libs.versions.minSdk.get().toInt()
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    buildFeatures {
        compose = true
    }
    sourceSets {
        getByName("main") {
            kotlin.srcDir(uniffiKotlin.get().asFile)
        }
        // src/test is the desktop suite (Compose desktop, Skia screenshots) that Maven
        // runs; it is not an Android unit test.
        getByName("test") {
            java.setSrcDirs(emptyList<File>())
            kotlin.setSrcDirs(emptyList<File>())
        }
    }
}

kotlin {
    compilerOptions {
        jvmTarget.set(JvmTarget.JVM_17)
    }
}

dependencies {
    api(platform(libs.androidx.compose.bom))
    api(libs.androidx.compose.ui)
    api(libs.androidx.compose.foundation)
    api(libs.androidx.compose.material3)
    api(libs.androidx.compose.material.icons.core)
    api(libs.kotlinx.coroutines.android)
    // The bindings' JNA, as the AAR that carries libjnidispatch.so for each ABI.
    api("net.java.dev.jna:jna:${libs.versions.jna.get()}@aar")
    // The Android flavour of the bindings uses @RequiresApi.
    implementation(libs.androidx.annotation)
}

// ---- The Android flavour of the UniFFI bindings ------------------------------------

val hostExt = System.getProperty("os.name").lowercase().let {
    when {
        it.startsWith("windows") -> Triple("", ".dll", ".exe")
        it.startsWith("mac") -> Triple("lib", ".dylib", "")
        else -> Triple("lib", ".so", "")
    }
}
val cargoTarget: File = System.getenv("CARGO_TARGET_DIR")?.let(::File) ?: workspace.resolve("target")
val hostLibrary: File = cargoTarget.resolve("debug/${hostExt.first}tincan_ffi${hostExt.second}")
val bindgen: File = cargoTarget.resolve("debug/uniffi-bindgen${hostExt.third}")
// Cargo where Android Studio finds it too (a GUI app may not have ~/.cargo/bin on PATH).
val cargoPath: String = listOfNotNull(
    providers.gradleProperty("tincan.cargoBin").orNull,
    File(System.getProperty("user.home"), ".cargo/bin").path,
    System.getenv("PATH"),
).joinToString(File.pathSeparator)

// The host build of the library and of the workspace's own uniffi-bindgen (the very
// UniFFI version the library was made with). Cargo decides what is up to date.
val buildHostBindings = tasks.register<Exec>("buildHostBindings") {
    group = "tincan"
    description = "Builds libtincan_ffi and uniffi-bindgen for this machine (cargo)."
    workingDir = workspace
    environment("PATH", cargoPath)
    commandLine("cargo", "build", "--locked", "-p", "tincan-bindings", "-p", "uniffi-bindgen")
    outputs.upToDateWhen { false }
}

// Library mode, like scripts/gen-bindings, with a config that adds `android = true`
// to bindings/uniffi.toml. UniFFI 0.32's --config takes a global config file whose
// [crates.<library name>] tables are merged over the crate's own uniffi.toml.
val generateUniffiBindings = tasks.register<Exec>("generateUniffiBindings") {
    group = "tincan"
    description = "Generates the Android flavour of the Kotlin bindings into build/generated."
    dependsOn(buildHostBindings)
    val outDir = uniffiKotlin.get().asFile
    val config = File(temporaryDir, "uniffi-android.toml")
    inputs.file(hostLibrary)
    outputs.dir(outDir)
    // uniffi-bindgen finds bindings/uniffi.toml through `cargo metadata`.
    workingDir = workspace
    environment("PATH", cargoPath)
    commandLine(
        bindgen.path, "generate", "--no-format", "--language", "kotlin",
        "--config", config.path, "--out-dir", outDir.path, hostLibrary.path,
    )
    doFirst {
        outDir.deleteRecursively()
        config.writeText("[crates.tincan_ffi.bindings.kotlin]\nandroid = true\n")
    }
}

tasks.named("preBuild") { dependsOn(generateUniffiBindings) }
