// The Android app: the glue between the `ui` screens, the Rust core and the OS (share
// sheet, camera, notifications, keep-alive, Keystore). The Rust library is built here
// with cargo-ndk for the three ABIs phones and emulators use.
import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    alias(libs.plugins.android.application)
    alias(libs.plugins.kotlin.android)
    alias(libs.plugins.kotlin.compose)
}

val workspace: File = rootDir.parentFile
val abis = listOf("arm64-v8a", "armeabi-v7a", "x86_64")
val rustLibs: Provider<Directory> = layout.buildDirectory.dir("generated/jniLibs")

android {
    namespace = "app.tincan.android"
    compileSdk = libs.versions.compileSdk.get().toInt()
    ndkVersion = libs.versions.ndk.get()
    defaultConfig {
        applicationId = "app.tincan"
        minSdk = libs.versions.minSdk.get().toInt()
        targetSdk = libs.versions.targetSdk.get().toInt()
        versionCode = 1
        versionName = "0.1.0"
        // Only the ABIs libtincan_ffi is built for (JNA's AAR brings more).
        ndk { abiFilters += abis }
    }
    buildTypes {
        release {
            // JNA and the generated bindings are reached by reflection; R8 would need
            // keep rules that nothing here can test yet.
            isMinifyEnabled = false
        }
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
            jniLibs.srcDir(rustLibs.get().asFile)
        }
    }
}

kotlin {
    compilerOptions {
        jvmTarget.set(JvmTarget.JVM_17)
    }
}

dependencies {
    implementation(project(":ui"))
    implementation(libs.androidx.activity.compose)
    implementation(libs.androidx.core.ktx)
    implementation(libs.androidx.lifecycle.runtime.compose)
    implementation(libs.androidx.camera.core)
    implementation(libs.androidx.camera.camera2)
    implementation(libs.androidx.camera.lifecycle)
    implementation(libs.androidx.camera.view)
}

// ---- libtincan_ffi.so for each ABI -------------------------------------------------

val cargoPath: String = listOfNotNull(
    providers.gradleProperty("tincan.cargoBin").orNull,
    File(System.getProperty("user.home"), ".cargo/bin").path,
    System.getenv("PATH"),
).joinToString(File.pathSeparator)
val ndkDirectory: Provider<Directory> = androidComponents.sdkComponents.ndkDirectory

// Always --release: a debug Rust build is hundreds of megabytes and slow on a phone.
// Cargo decides what is up to date.
val cargoNdk = tasks.register<Exec>("cargoNdk") {
    group = "tincan"
    description = "Builds libtincan_ffi.so for ${abis.joinToString()} with cargo-ndk."
    val outDir = rustLibs.get().asFile
    workingDir = workspace
    environment("PATH", cargoPath)
    commandLine(
        listOf("cargo", "ndk") + abis.flatMap { listOf("-t", it) } +
            listOf("-P", libs.versions.minSdk.get(), "-o", outDir.path) +
            listOf("build", "--release", "--locked", "-p", "tincan-bindings"),
    )
    outputs.dir(outDir)
    outputs.upToDateWhen { false }
    doFirst {
        // The NDK this project pins (ndkVersion), wherever the SDK keeps it.
        environment("ANDROID_NDK_HOME", ndkDirectory.get().asFile.path)
    }
}

tasks.matching { it.name.startsWith("merge") && it.name.endsWith("JniLibFolders") }
    .configureEach { dependsOn(cargoNdk) }
