import TincanKit
import XCTest

/// Ana and Ben meet through the real core, driven as the screens drive it: actions
/// into `AppStore.dispatch`, views out of `AppStore.view`. The codes go from one phone
/// to the other by "paste", as a messenger would carry them.
final class AppStoreTests: XCTestCase {
    @MainActor
    func testAnaInvitesBenAnswersTheyChatAndTheTicksReachRead() async throws {
        let ana = try Phone("ana")
        let ben = try Phone("ben")
        defer {
            ana.close()
            ben.close()
        }
        ana.store.dispatch(.saveSettings(displayName: "Ana", stunServers: "", inviteLifetimeHours: 24))
        ben.store.dispatch(.saveSettings(displayName: "Ben", stunServers: "", inviteLifetimeHours: 24))
        try await ana.waitFor("her name") { $0.myName == "Ana" }
        try await ben.waitFor("his name") { $0.myName == "Ben" }

        // Ana makes an invite with a question.
        ana.store.dispatch(.startInvite)
        ana.store.dispatch(.editInvite(question: "Where did we first meet?", answer: "Lisbon"))
        try await ana.waitFor("Create enabled") { $0.invite?.canCreate == true }
        ana.store.dispatch(.createInvite)
        let invite = try await ana.waitFor("the invite code") { $0.invite?.code.isEmpty == false }.invite!
        XCTAssertTrue(invite.code.hasPrefix("TINCAN-"), invite.code)
        XCTAssertTrue(invite.shareText.contains(invite.code))

        // Ben pastes the whole line from the messenger and answers.
        ben.store.dispatch(.received(text: invite.shareText, source: .paste))
        try await ben.waitFor("Ana's question") { $0.join?.question == "Where did we first meet?" }
        ben.store.dispatch(.editJoinAnswer(answer: " lisbon"))
        try await ben.waitFor("Answer enabled") { $0.join?.canSubmit == true }
        ben.store.dispatch(.submitJoin)
        let reply = try await ben.waitFor("his reply code") { $0.join?.replyCode.isEmpty == false }.join!

        // The reply goes back; Ana pastes it on her invite screen; both connect.
        ana.store.dispatch(.received(text: reply.shareText, source: .paste))
        try await ana.waitFor("the conversation connected") { $0.conversation?.connection == .connected }
        try await ben.waitFor("the conversation connected") { $0.conversation?.connection == .connected }
        try await ana.waitFor("Ben's name") { $0.conversation?.title == "Ben" }

        // Ana writes; Ben, looking at the conversation, reads it; her ticks turn to read.
        ana.store.dispatch(.send(text: "Hello Ben!"))
        try await ben.waitFor("Ana's message") {
            $0.conversation?.messages.contains { $0.text == "Hello Ben!" } == true
        }
        try await ana.waitFor("her message read") {
            $0.conversation?.messages.contains { $0.text == "Hello Ben!" && $0.delivery == .read } == true
        }
    }

    @MainActor
    func testPastedJunkIsExplainedInTheNoticeUntilDismissed() async throws {
        let cleo = try Phone("cleo")
        defer { cleo.close() }
        cleo.store.dispatch(.received(text: "see you at 8?", source: .paste))
        let view = try await cleo.waitFor("the core's explanation") { $0.notice?.isError == true }
        XCTAssertEqual(view.screen, .conversations)
        cleo.store.dispatch(.dismissNotice)
        try await cleo.waitFor("the notice gone") { $0.notice == nil }
    }

    @MainActor
    func testActionsRunInTheOrderTheyWereDispatched() async throws {
        let dan = try Phone("dan")
        defer { dan.close() }
        // Fifty edits in a row, then one more: the core must end with the last one.
        dan.store.dispatch(.startInvite)
        for n in 1...50 {
            dan.store.dispatch(.editInvite(question: "Question \(n)?", answer: ""))
        }
        try await dan.waitFor("the last edit") { $0.invite?.question == "Question 50?" }
    }
}
