// Tincan's Android project: `ui` (the Compose screens over the app model, also built
// for the desktop JVM by ui/pom.xml) and `app` (the Android glue). See README.md.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "tincan"
include(":ui", ":app")
