import Foundation
import Security

/// The core's secrets (pending invites' keys, link certificates, the identity) in the
/// iOS Keychain: one generic password per key, under one service.
///
/// Readable after the first unlock since boot, so a node still running in the
/// background while the phone is locked can read them; never leaves this device (not
/// in backups, not synced). Called from the core's threads, never the main thread.
public final class KeychainSecretStore: SecretStore {
    /// The Keychain service the items are filed under.
    public let service: String

    /// A store filed under `service` ("app.tincan" for the app; tests use their own).
    public init(service: String = "app.tincan") {
        self.service = service
    }

    public func get(key: String) throws -> Data? {
        var query = item(key)
        query[kSecReturnData as String] = true
        query[kSecMatchLimit as String] = kSecMatchLimitOne
        var result: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &result)
        switch status {
        case errSecSuccess:
            guard let data = result as? Data else {
                throw failure("reading", status)
            }
            return data
        case errSecItemNotFound:
            return nil
        default:
            throw failure("reading", status)
        }
    }

    /// Updates the item if it exists, adds it otherwise.
    public func put(key: String, value: Data) throws {
        let attributes: [String: Any] = [
            kSecValueData as String: value,
            kSecAttrAccessible as String: kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly,
        ]
        let updated = SecItemUpdate(item(key) as CFDictionary, attributes as CFDictionary)
        switch updated {
        case errSecSuccess:
            return
        case errSecItemNotFound:
            let query = item(key).merging(attributes) { _, new in new }
            let added = SecItemAdd(query as CFDictionary, nil)
            guard added == errSecSuccess else {
                throw failure("saving", added)
            }
        default:
            throw failure("saving", updated)
        }
    }

    /// Deleting a missing item is not an error.
    public func delete(key: String) throws {
        let status = SecItemDelete(item(key) as CFDictionary)
        guard status == errSecSuccess || status == errSecItemNotFound else {
            throw failure("deleting", status)
        }
    }

    private func item(_ key: String) -> [String: Any] {
        [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: key,
        ]
    }

    /// The Keychain's own words for the status (never the secret or its value).
    private func failure(_ doing: String, _ status: OSStatus) -> SecretStoreError {
        let message = SecCopyErrorMessageString(status, nil) as String? ?? "OSStatus \(status)"
        return SecretStoreError.Failed(reason: "Keychain \(doing) failed: \(message)")
    }
}
