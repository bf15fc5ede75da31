import SwiftUI
import TincanKit

/// The app's entry point: one window rendering the app model, and the scene's phase
/// told to `Lifecycle`. Everything else is in TincanKit.
@main
struct TincanApp: App {
    @UIApplicationDelegateAdaptor(AppDelegate.self) private var appDelegate
    @Environment(\.scenePhase) private var scenePhase

    var body: some Scene {
        WindowGroup {
            if let store = appDelegate.store {
                RootView(store: store)
            } else {
                OpenFailedView(message: appDelegate.openError)
            }
        }
        .onChange(of: scenePhase) { phase in
            appDelegate.lifecycle?.scenePhaseChanged(phase)
        }
    }
}
