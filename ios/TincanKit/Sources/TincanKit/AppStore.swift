@_exported import TincanFFI
import Combine
import Foundation

/// What the person did, handed to the core (see `AppStore.dispatch`).
public typealias Send = @Sendable (Action) -> Void

/// One camera frame's luminance plane: width, height, bytes per row, bytes. True once
/// the core read and handled a code, so the camera can stop.
public typealias FrameSink = @Sendable (UInt32, UInt32, UInt32, Data) -> Bool

/// The app model as the screens hold it: the newest `AppView`, published on the main
/// actor, and `dispatch` for what the person did.
///
/// Views come from `model.updates().next()` awaited off the main actor (several changes
/// in a row arrive as one view), then hop to the main actor. Actions run one at a time,
/// in the order they were dispatched, on a serial queue: `AppModel.dispatch` blocks for
/// a moment (hardening an answer takes ~0.3 s), and a field's last edit must reach the
/// core before the button pressed after it — independent detached tasks could reorder
/// them.
///
/// The screens render the core's records (`AppView`, `InviteView`, …) as they are: they
/// are plain values made for exactly this, so app-owned copies would only add a second
/// set of types to keep in step. Views never call the model; they get an `AppView` and
/// a `Send` closure, so previews render them from fixed values with no model at all.
@MainActor
public final class AppStore: ObservableObject {
    /// The view to render; always the newest the core published.
    @Published public private(set) var view: AppView

    /// Called on the main actor with every new view (after `view` is set), also while
    /// the app is in the background: `Lifecycle` posts notifications and ends its
    /// background task from here.
    public var onView: (@MainActor (AppView) -> Void)?

    /// The model underneath.
    public let model: AppModel

    private let actions = DispatchQueue(label: "app.tincan.actions", qos: .userInitiated)

    /// Renders `model` from now on. The store waits for views as long as the model
    /// lives: `shutdown()` the model to end it (the wait then returns once more, finds
    /// the store gone and stops).
    public init(model: AppModel) {
        self.model = model
        self.view = model.view()
        let updates = model.updates()
        Task.detached(priority: .userInitiated) { [weak self] in
            while let next = await updates.next() {
                guard let self else { return }
                await self.show(next)
            }
        }
    }

    /// Hands what the person did to the core; returns at once. Any thread.
    public nonisolated func dispatch(_ action: Action) {
        let model = self.model
        actions.async {
            model.dispatch(action: action)
        }
    }

    /// One camera frame for the core's QR reader, on the camera's own queue (never the
    /// main thread): true once a code was read and handled.
    public nonisolated func scanFrame(width: UInt32, height: UInt32, rowStride: UInt32, luma: Data) -> Bool {
        model.scanFrame(width: width, height: height, rowStride: rowStride, luma: luma)
    }

    /// The phone's time zone, for "Today" and "14:05".
    public nonisolated func setUtcOffset(_ timeZone: TimeZone = .current) {
        let model = self.model
        actions.async {
            model.setUtcOffset(minutes: Int32(timeZone.secondsFromGMT() / 60))
        }
    }

    private func show(_ next: AppView) {
        // Revisions only grow; an older view never replaces a newer one.
        guard next.revision >= view.revision else { return }
        view = next
        onView?(next)
    }
}

extension AppStore {
    /// Opens the app's model on its data directory (Application Support/Tincan) with
    /// the Keychain, in the phone's time zone. The core reconnects known contacts.
    public nonisolated static func openModel() throws -> AppModel {
        let files = FileManager.default
        let support = try files.url(
            for: .applicationSupportDirectory, in: .userDomainMask, appropriateFor: nil, create: true
        )
        var dir = support.appendingPathComponent("Tincan", isDirectory: true)
        // Readable after the first unlock, like the Keychain items: the node may run on
        // in the background while the phone is locked.
        try files.createDirectory(
            at: dir,
            withIntermediateDirectories: true,
            attributes: [.protectionKey: FileProtectionType.completeUntilFirstUserAuthentication]
        )
        // The database is useless without its Keychain secrets, which never leave this
        // device: keep it out of backups too.
        var values = URLResourceValues()
        values.isExcludedFromBackup = true
        try dir.setResourceValues(values)
        let options = AppOptions(
            dataDir: dir.path,
            utcOffsetMinutes: Int32(TimeZone.current.secondsFromGMT() / 60),
            loopbackOnly: false
        )
        return try AppModel.open(options: options, secretStore: KeychainSecretStore())
    }

    /// The words of an error for the person: the core's message as it is.
    public nonisolated static func message(for error: Error) -> String {
        guard let error = error as? TincanError else {
            return error.localizedDescription
        }
        switch error {
        case let .NotACode(message), let .InvalidCode(message), let .UpdateNeeded(message),
            let .WrongAnswer(message), let .Expired(message), let .AlreadyUsed(message),
            let .ForeignReply(message), let .WeakAnswer(message), let .InvalidInput(message),
            let .QrUnreadable(message), let .Unreachable(message), let .Storage(message),
            let .UnknownInvite(message), let .UnknownPeer(message), let .Closed(message),
            let .DataDirInUse(message), let .Internal(message):
            return message
        }
    }
}
