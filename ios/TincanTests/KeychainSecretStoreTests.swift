import Security
import TincanKit
import XCTest

/// The Keychain store on its own, and under the core. These run hosted in the app
/// (project.yml): a test bundle without a host app has no application identifier, and
/// the simulator's Keychain then refuses every call (errSecMissingEntitlement).
final class KeychainSecretStoreTests: XCTestCase {
    func testPutGetReplaceAndDelete() throws {
        let store = KeychainSecretStore(service: "app.tincan.tests.\(UUID().uuidString)")
        let other = KeychainSecretStore(service: "app.tincan.tests.\(UUID().uuidString)")
        defer {
            try? store.delete(key: "identity")
            try? store.delete(key: "certificate")
        }

        XCTAssertNil(try store.get(key: "identity"))
        try store.put(key: "identity", value: Data([1, 2, 3]))
        XCTAssertEqual(try store.get(key: "identity"), Data([1, 2, 3]))
        // A second put replaces the value (the update path).
        try store.put(key: "identity", value: Data([4, 5]))
        XCTAssertEqual(try store.get(key: "identity"), Data([4, 5]))
        try store.put(key: "certificate", value: Data(repeating: 7, count: 2048))
        XCTAssertEqual(try store.get(key: "certificate")?.count, 2048)
        // Items are per service.
        XCTAssertNil(try other.get(key: "identity"))

        try store.delete(key: "identity")
        XCTAssertNil(try store.get(key: "identity"))
        // Deleting what is not there is not an error.
        try store.delete(key: "identity")
        try other.delete(key: "never-written")
        XCTAssertEqual(try store.get(key: "certificate")?.count, 2048)
    }

    @MainActor
    func testTheCoreKeepsItsSecretsInTheKeychainAcrossARestart() async throws {
        let service = "app.tincan.tests.\(UUID().uuidString)"
        defer { forgetAll(service) }
        let first = try Phone("eve", secrets: KeychainSecretStore(service: service))
        first.store.dispatch(.startInvite)
        first.store.dispatch(.chooseProtection(protection: .inPerson))
        try await first.waitFor("Create enabled") { $0.invite?.canCreate == true }
        first.store.dispatch(.createInvite)
        try await first.waitFor("the invite code") { $0.invite?.code.isEmpty == false }
        first.close(removingFiles: false)

        let again = try Phone("eve", secrets: KeychainSecretStore(service: service), dir: first.dir)
        defer { again.close() }
        try await again.waitFor("the invite still waiting") { view in
            view.conversations.contains { $0.kind == .waitingInvite }
        }
    }

    /// Removes whatever the core filed under `service`.
    private func forgetAll(_ service: String) {
        let query: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
        ]
        _ = SecItemDelete(query as CFDictionary)
    }
}
