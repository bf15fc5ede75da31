// Mirrors bindings/kotlin-tests: two nodes in one process over loopback, typed
// errors, a secret store written in Swift, and shutdown. Run with ./run.sh on a
// machine with a Swift toolchain (macOS with Xcode, or Linux with swift.org's
// toolchain); these Linux build machines have none, and the cargo test says so.
import Foundation

#if canImport(TincanFFI)
import TincanFFI
#endif

var failures = 0
func check(_ condition: @autoclosure () -> Bool, _ what: String, line: Int = #line) {
    if !condition() { failures += 1; print("FAIL line \(line): \(what)") }
}

final class RecordingSecretStore: SecretStore, @unchecked Sendable {
    private let lock = NSLock()
    private var map: [String: Data] = [:]
    private(set) var calls: [String] = []
    func get(key: String) throws -> Data? { lock.lock(); defer { lock.unlock() }; calls.append("get \(key)"); return map[key] }
    func put(key: String, value: Data) throws { lock.lock(); defer { lock.unlock() }; calls.append("put \(key)"); map[key] = value }
    func delete(key: String) throws { lock.lock(); defer { lock.unlock() }; calls.append("delete \(key)"); map[key] = nil }
}

/// The node's events as an AsyncStream over `EventStream.next()` (Swift `async`): no
/// thread is held while waiting, cancelling the consumer cancels the wait, and the
/// stream ends when the node shuts down (bindings/README.md).
func events(_ node: Node) -> AsyncStream<Event> {
    let stream = node.events()
    return AsyncStream(unfolding: { await stream.next() })
}

func person(_ name: String, store: SecretStore = MemorySecretStore()) throws -> Node {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tincan-\(name)-\(UUID())")
    return try Node.open(
        options: NodeOptions(dataDir: dir.path, displayName: name, loopbackOnly: true, connectTimeoutSecs: 20),
        secretStore: store)
}

func expect(_ node: Node, _ what: String, _ pred: (Event) -> Bool) -> Event? {
    let deadline = Date().addingTimeInterval(20)
    while Date() < deadline {
        if let e = node.nextEvent(timeoutMs: 200), pred(e) { return e }
    }
    check(false, "no \(what) within 20 s")
    return nil
}

func connected(_ peer: String) -> (Event) -> Bool {
    { if case .peerStateChanged(let p, .connected) = $0 { return p == peer }; return false } }

func message(_ text: String) -> (Event) -> Bool {
    { if case .message(_, _, let t) = $0 { return t == text }; return false } }

// A question invite, answered with different case and spacing; chat both ways.
do {
    let store = RecordingSecretStore()
    let ana = try person("Ana", store: store), ben = try person("Ben")
    let invite = try ana.createInvite(
        protection: .question(question: "Where did we first meet?", answer: "the Lisbon bookshop"), lifetimeSecs: nil)
    check(store.calls.contains("put invite-\(invite.inviteId)"), "the Swift store kept the invite's secrets")
    check(try ben.openInvite(code: invite.code).question == "Where did we first meet?", "question shown")
    let joined = try ben.join(code: invite.code, answer: " The LISBON  bookshop")
    let peer = try ana.acceptReply(code: joined.replyCode)
    _ = expect(ana, "connected", connected(peer)); _ = expect(ben, "connected", connected(peer))
    _ = try ana.send(peer: peer, text: "hi Ben"); _ = expect(ben, "message", message("hi Ben"))
    _ = try ben.send(peer: peer, text: "hi Ana"); _ = expect(ana, "message", message("hi Ana"))
    ana.shutdown(); ben.shutdown()
}

// Open invite, events in order through the AsyncStream.
do {
    let ana = try person("Ana"), ben = try person("Ben")
    let invite = try ana.createInvite(protection: .open, lifetimeSecs: nil)
    let peer = try ana.acceptReply(code: try ben.join(code: invite.code, answer: nil).replyCode)
    _ = expect(ana, "connected", connected(peer)); _ = expect(ben, "connected", connected(peer))
    let texts = (1...10).map { "message \($0)" }
    for t in texts { _ = try ana.send(peer: peer, text: t) }
    let done = DispatchSemaphore(value: 0)
    var received: [String] = []
    Task {
        for await e in events(ben) {
            if case .message(_, _, let t) = e { received.append(t) }
            if received.count == texts.count { break }
        }
        done.signal()
    }
    check(done.wait(timeout: .now() + 20) == .success, "messages within 20 s")
    check(received == texts, "messages in order: \(received)")
    ana.shutdown(); ben.shutdown()
}

// Typed errors with the core's messages.
do {
    let ana = try person("Ana"), ben = try person("Ben")
    let invite = try ana.createInvite(
        protection: .question(question: "Where did we first meet?", answer: "the Lisbon bookshop"), lifetimeSecs: nil)
    let reply = try ben.join(code: invite.code, answer: "the Porto café").replyCode
    do { _ = try ana.acceptReply(code: reply); check(false, "wrong answer accepted") }
    catch TincanError.WrongAnswer(let message) { check(message.hasPrefix("The answer does not match"), message) }
    do { _ = try ben.join(code: "see you at 8?", answer: nil); check(false, "junk accepted") }
    catch TincanError.NotACode(let message) { check(message.contains("TINCAN-"), message) }
    ana.shutdown()
    do { _ = try ana.createInvite(protection: .open, lifetimeSecs: nil); check(false, "works after shutdown") }
    catch TincanError.Closed { }
    ben.shutdown()
}

print(failures == 0 ? "swift: all checks passed" : "swift: \(failures) checks failed")
exit(failures == 0 ? 0 : 1)
