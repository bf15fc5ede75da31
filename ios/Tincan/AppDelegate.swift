import SwiftUI
import TincanKit
import UIKit
import UserNotifications

/// Opens the app model once per process, before any scene exists, and makes
/// `Lifecycle` the notification center's delegate then (so a notification that
/// launched the app reaches it).
@MainActor
final class AppDelegate: NSObject, UIApplicationDelegate {
    private(set) var store: AppStore?
    private(set) var lifecycle: Lifecycle?
    private(set) var openError = ""

    func application(
        _ application: UIApplication,
        willFinishLaunchingWithOptions launchOptions: [UIApplication.LaunchOptionsKey: Any]? = nil
    ) -> Bool {
        do {
            // Opening reads the store and starts the node: a few milliseconds, and the
            // first screen needs it anyway.
            let store = AppStore(model: try AppStore.openModel())
            let lifecycle = Lifecycle(store: store)
            UNUserNotificationCenter.current().delegate = lifecycle
            self.store = store
            self.lifecycle = lifecycle
        } catch {
            openError = AppStore.message(for: error)
        }
        return true
    }

    /// iOS ends a running app (not a suspended one): say goodbye to contacts, so they
    /// show it offline at once instead of after a timeout.
    func applicationWillTerminate(_ application: UIApplication) {
        store?.model.shutdown()
    }
}
