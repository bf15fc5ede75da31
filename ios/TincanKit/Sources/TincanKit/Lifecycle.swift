import Network
import SwiftUI
import UIKit
import UserNotifications

/// The app's life on iOS, told to the core: visible or not, the network changing, the
/// time iOS allows in the background, and notifications for what arrives meanwhile.
///
/// iOS gives an app without a push service no long-lived background connection, and
/// Tincan has no server to push from. So, honestly:
/// - leaving the app: the core is told it is hidden (new messages become alerts) and,
///   while it has links or queued messages, a background task keeps it running for as
///   long as iOS grants (about half a minute). When that ends, the task is ended and
///   iOS suspends the app; the node is not shut down — its links simply go quiet, and
///   contacts see it offline. Nothing needs saving: what is shown is already stored.
/// - coming back: the core is told it is visible and that the network changed, so
///   every known contact is tried again at once (the core reconnects on its own too).
/// - while suspended nothing arrives and nothing is announced: messages wait in the
///   sender's outbox and arrive when both are open again. The app says so
///   (`Shell.backgroundNote`).
@MainActor
public final class Lifecycle: NSObject {
    /// The notification category of a message, with its Reply action.
    static let messageCategory = "message"
    private static let replyAction = "reply"

    private let store: AppStore
    private var backgroundTask: UIBackgroundTaskIdentifier = .invalid
    private var inBackground = false
    private var lastAlert: UInt64 = 0
    private var askedForNotifications = false
    private var badge = -1
    private let paths = NWPathMonitor()
    private var lastPath: PathSummary?

    /// Watches `store`'s views and the network. Set it as the notification center's
    /// delegate before launching finishes, so a tapped notification reaches it.
    public init(store: AppStore) {
        self.store = store
        super.init()
        store.onView = { [weak self] view in
            self?.viewChanged(view)
        }
        // Called on the monitor's queue: the change is handled on the main actor.
        paths.pathUpdateHandler = { @Sendable [weak self] path in
            let summary = PathSummary(path)
            Task { @MainActor [weak self] in
                self?.pathChanged(summary)
            }
        }
        paths.start(queue: DispatchQueue(label: "app.tincan.network"))
        let reply = UNTextInputNotificationAction(
            identifier: Self.replyAction,
            title: Shell.reply,
            options: [],
            textInputButtonTitle: Shell.send,
            textInputPlaceholder: Shell.message
        )
        UNUserNotificationCenter.current().setNotificationCategories([
            UNNotificationCategory(identifier: Self.messageCategory, actions: [reply], intentIdentifiers: [], options: []),
        ])
    }

    /// Follows the scene: `.active` and `.background` matter, `.inactive` (a passing
    /// state, e.g. the app switcher) does not. The core starts out visible, so a
    /// launch that reports no change is already right.
    public func scenePhaseChanged(_ phase: ScenePhase) {
        switch phase {
        case .active:
            becameActive()
        case .background:
            enteredBackground()
        default:
            break
        }
    }

    private func becameActive() {
        inBackground = false
        endBackgroundTask()
        store.setUtcOffset()
        store.dispatch(.setVisible(visible: true))
        store.dispatch(.networkChanged)
        askForNotificationsOnce(store.view)
    }

    private func enteredBackground() {
        inBackground = true
        store.dispatch(.setVisible(visible: false))
        if store.view.keepAlive.needed {
            beginBackgroundTask()
        }
    }

    private func beginBackgroundTask() {
        guard backgroundTask == .invalid else { return }
        backgroundTask = UIApplication.shared.beginBackgroundTask(withName: "Tincan links") { [weak self] in
            // iOS is about to suspend the app: end the task now, or iOS ends the app.
            self?.endBackgroundTask()
        }
    }

    private func endBackgroundTask() {
        guard backgroundTask != .invalid else { return }
        UIApplication.shared.endBackgroundTask(backgroundTask)
        backgroundTask = .invalid
    }

    private func viewChanged(_ view: AppView) {
        post(view.alerts)
        let unread = view.conversations.reduce(0) { $0 + Int($1.unread) }
        if unread != badge {
            badge = unread
            UNUserNotificationCenter.current().setBadgeCount(unread) { _ in }
        }
        if inBackground && !view.keepAlive.needed {
            // Nothing left to keep: let iOS suspend the app now rather than later.
            endBackgroundTask()
        }
        if !inBackground {
            askForNotificationsOnce(view)
        }
    }

    /// One notification per new alert, grouped by conversation; then the core is told
    /// they were shown. Without permission iOS drops them, and the messages still wait
    /// unread in the list.
    private func post(_ alerts: [Alert]) {
        let fresh = alerts.filter { $0.id > lastAlert }
        guard let newest = fresh.map(\.id).max() else { return }
        lastAlert = newest
        for alert in fresh {
            let content = UNMutableNotificationContent()
            content.title = alert.title
            content.body = alert.body
            content.threadIdentifier = alert.conversation
            content.categoryIdentifier = Self.messageCategory
            content.userInfo = ["conversation": alert.conversation]
            content.sound = .default
            let request = UNNotificationRequest(identifier: "alert-\(alert.id)", content: content, trigger: nil)
            UNUserNotificationCenter.current().add(request) { _ in }
        }
        store.dispatch(.alertsShown(upTo: newest))
    }

    /// Asks for notifications once there is someone to hear from, not at first launch.
    private func askForNotificationsOnce(_ view: AppView) {
        guard !askedForNotifications, view.conversations.contains(where: { $0.kind == .chat }) else { return }
        askedForNotifications = true
        UNUserNotificationCenter.current().requestAuthorization(options: [.alert, .sound, .badge]) { _, _ in }
    }

    private func pathChanged(_ path: PathSummary) {
        defer { lastPath = path }
        // The first report is the network as it is at start: nothing changed yet.
        guard let last = lastPath, last != path, path.usable else { return }
        store.dispatch(.networkChanged)
    }
}

extension Lifecycle: UNUserNotificationCenterDelegate {
    /// A tapped notification opens its conversation; a typed reply is sent from there
    /// (queued if the contact is not reachable, like any message).
    public nonisolated func userNotificationCenter(
        _ center: UNUserNotificationCenter,
        didReceive response: UNNotificationResponse,
        withCompletionHandler completionHandler: @escaping () -> Void
    ) {
        let conversation = response.notification.request.content.userInfo["conversation"] as? String
        if let conversation, let reply = response as? UNTextInputNotificationResponse {
            store.dispatch(.sendTo(id: conversation, text: reply.userText))
            // A reply can wake a suspended app: hold it while the message goes out.
            Task { @MainActor [weak self] in
                self?.beginBackgroundTask()
                completionHandler()
            }
            return
        }
        if let conversation, response.actionIdentifier == UNNotificationDefaultActionIdentifier {
            store.dispatch(.openConversation(id: conversation))
        }
        completionHandler()
    }

    /// An alert posted just before the app came back is still shown.
    public nonisolated func userNotificationCenter(
        _ center: UNUserNotificationCenter,
        willPresent notification: UNNotification,
        withCompletionHandler completionHandler: @escaping (UNNotificationPresentationOptions) -> Void
    ) {
        completionHandler([.banner, .list, .sound])
    }
}

/// What matters about a network path: usable or not, over which kinds of interface.
private struct PathSummary: Equatable, Sendable {
    let usable: Bool
    let interfaces: [String]

    init(_ path: NWPath) {
        usable = path.status == .satisfied
        interfaces = path.availableInterfaces.map { "\($0.type)-\($0.name)" }
    }
}
