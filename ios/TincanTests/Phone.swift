import Foundation
import TincanKit
import XCTest

/// One phone in a test: its own app model over a temporary directory, bound to
/// loopback, held by an `AppStore` as the app holds it.
@MainActor
final class Phone {
    let name: String
    let dir: URL
    let model: AppModel
    let store: AppStore

    init(_ name: String, secrets: SecretStore = MemorySecretStore(), dir: URL? = nil) throws {
        self.name = name
        self.dir = dir ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("tincan-\(name)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: self.dir, withIntermediateDirectories: true)
        model = try AppModel.open(
            options: AppOptions(dataDir: self.dir.path, utcOffsetMinutes: 0, loopbackOnly: true),
            secretStore: secrets
        )
        store = AppStore(model: model)
        store.dispatch(.setVisible(visible: true))
    }

    /// Stops the node; `removingFiles: false` keeps the directory for a reopen.
    func close(removingFiles: Bool = true) {
        model.shutdown()
        if removingFiles {
            try? FileManager.default.removeItem(at: dir)
        }
    }

    /// Waits until the store's view satisfies `condition` (at most `seconds`), or
    /// fails saying what it waited for and what it saw.
    @discardableResult
    func waitFor(
        _ what: String,
        seconds: Double = 30,
        file: StaticString = #filePath,
        line: UInt = #line,
        _ condition: (AppView) -> Bool
    ) async throws -> AppView {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition(store.view) {
                return store.view
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        XCTFail("\(name) never showed \(what); the view: \(store.view)", file: file, line: line)
        throw WaitedTooLong()
    }
}

struct WaitedTooLong: Error {}

extension AppView {
    var invite: InviteView? {
        if case let .invite(view) = screen { return view }
        return nil
    }

    var join: JoinView? {
        if case let .join(view) = screen { return view }
        return nil
    }

    var conversation: ConversationView? {
        if case let .conversation(view) = screen { return view }
        return nil
    }
}

extension ConversationView {
    /// The messages' texts and ticks, oldest first.
    var messages: [(text: String, delivery: Delivery)] {
        items.compactMap { item in
            if case let .message(_, _, text, _, delivery, _, _) = item {
                return (text, delivery)
            }
            return nil
        }
    }
}
