#if DEBUG
import SwiftUI

/// Fixed views of every screen, for Xcode's previews: the screens are functions of a
/// value, so no model, network or camera is needed (the scan screen shows its
/// no-camera state in a preview).
enum Fixtures {
    static let rows = [
        ConversationRow(
            id: "c1", kind: .chat, title: "Ben", preview: "See you at 8?", timeLabel: "14:05",
            unread: 2, connection: .connected, status: "connected", verified: true
        ),
        ConversationRow(
            id: "c2", kind: .chat, title: "Cleo", preview: "Thanks!", timeLabel: "Yesterday",
            unread: 0, connection: .offline, status: "offline · 1 message waiting", verified: false
        ),
        ConversationRow(
            id: "i1", kind: .waitingInvite, title: "Invite", preview: "Waiting for the reply",
            timeLabel: "09:12", unread: 0, connection: .waiting, status: "waiting for the other person",
            verified: false
        ),
    ]

    static let invite = InviteView(
        stage: .waitingForReply, protection: .question,
        protectionHelp: "A question only the other person can answer.",
        question: "Where did we first meet?", answer: "",
        strength: "", strengthWarning: false, canCreate: false, error: nil,
        inviteId: "i1", code: "TINCAN-I1-EXAMPLEEXAMPLEEXAMPLE",
        shareText: "Join me on Tincan — open this in the Tincan app: TINCAN-I1-EXAMPLEEXAMPLEEXAMPLE",
        qrPayload: "TINCAN-I1-EXAMPLEEXAMPLEEXAMPLE",
        instructions: "Send the code to the person you invite, then load their reply here.",
        expires: "Expires today at 18:00", conversation: ""
    )

    static let choosing = InviteView(
        stage: .choose, protection: .question,
        protectionHelp: "A question only the other person can answer.",
        question: "Where did we first meet?", answer: "Lisbon",
        strength: "Someone who knows you could guess this.", strengthWarning: true, canCreate: true,
        error: nil, inviteId: "", code: "", shareText: "", qrPayload: "", instructions: "",
        expires: "", conversation: ""
    )

    static let join = JoinView(
        stage: .answer, opened: "An invite with a question", question: "Where did we first meet?",
        answer: "", canSubmit: false, error: "That answer is not right. 2 tries left.", replyCode: "",
        shareText: "", qrPayload: "", instructions: "Answer the question to make your reply.",
        expires: "Expires today at 18:00", conversation: ""
    )

    static let conversation = ConversationView(
        id: "c1", title: "Ben", subtitle: "reconnecting…", connection: .reconnecting, verified: true,
        banner: Banner(kind: .reconnecting, text: "The connection was lost; reconnecting by itself."),
        items: [
            .day(key: "2026-12-03", label: "Today"),
            .message(
                key: "1", outgoing: false, text: "Hi! Are we still on for tonight?", time: "14:01",
                delivery: .incoming, deliveryLabel: "", attachment: nil
            ),
            .message(
                key: "2", outgoing: true, text: "Yes — see you at 8?", time: "14:05",
                delivery: .delivered, deliveryLabel: "Delivered", attachment: nil
            ),
            .message(
                key: "3", outgoing: false, text: "", time: "14:06", delivery: .incoming, deliveryLabel: "",
                attachment: AttachmentView(
                    id: "t1", name: "holiday-video.mp4", sizeText: "48.3 MB", mime: "video/mp4", isPhoto: false,
                    previewJpeg: nil, state: .needsAnswer, progressPercent: 0, status: "48.3 MB · Download it?",
                    canAccept: true, canDecline: true, canOpen: false, path: ""
                )
            ),
        ],
        hasEarlier: true, canSend: true, composerHint: "Message — sent when Ben is back",
        followUp: nil, contact: "k1", canAttach: true,
        picked: PickedFileView(
            name: "IMG_0412.HEIC", sizeText: "3.4 MB", isPhoto: true,
            metadataNote: "Location and camera details are removed from the photo before it is sent.",
            keepMetadataLabel: "Keep location and camera details", keepMetadata: false, sendLabel: "Send photo"
        )
    )

    static let contact = ContactView(
        conversation: "c1", contact: "k1", name: "Ben",
        safetyNumber: "12345 67890 12345 67890 12345 67890", safetyQr: "TINCAN-S1-EXAMPLE",
        verified: false, keyChanged: false,
        explanation: "Compare this number with Ben's, in person or on a call.",
        introducedBy: "Introduced by Cleo · not verified — compare safety numbers to be sure this is really Ben",
        canIntroduce: true,
        introductionsMade: ["Introduced to Dana · Ben accepted · Dana has not answered yet"]
    )

    static let introductions = [
        IntroductionRow(
            id: "intro-1", stage: .needsAnswer, title: "Ben introduces Dana",
            detail: "Accept to talk with Dana directly, no codes needed. Dana is asked too. Expires Monday 7 December at 14:05",
            canAnswer: true
        ),
        IntroductionRow(
            id: "intro-2", stage: .waitingForOther, title: "Cleo introduces Eli",
            detail: "You accepted. Waiting for Eli to accept · Expires Sunday 6 December at 09:30",
            canAnswer: false
        ),
    ]

    static let introduce = IntroduceView(
        conversation: "c1", name: "Ben", title: "Introduce Ben to…",
        explanation: "Pick who should meet Ben. Both are asked first; if both accept, their phones connect directly with no codes to send. You only pass on sealed details: you will not see how to reach them or what they say.",
        candidates: [
            IntroduceCandidate(conversation: "c2", name: "Cleo", status: "reconnecting…", verified: false),
            IntroduceCandidate(conversation: "c3", name: "Dana", status: "connected", verified: true),
        ],
        empty: ""
    )

    static let settings = SettingsView(
        displayName: "Ana", stunServers: "",
        stunHelp: "Without STUN servers only phones on the same network connect.",
        inviteLifetimeHours: 24, error: nil
    )

    static func app(_ screen: Screen, notice: Notice? = nil) -> AppView {
        AppView(
            revision: 1, screen: screen, canGoBack: screen != .conversations, conversations: rows,
            notice: notice, keepAlive: KeepAlive(needed: false, text: ""), alerts: [], myName: "Ana",
            introductions: screen == .conversations ? introductions : [], rooms: []
        )
    }

    static let screens: [(String, AppView)] = [
        ("List", app(.conversations)),
        ("Invite", app(.choose)),
        ("Invite code", app(.invite(view: invite))),
        ("Join", app(.join(view: join))),
        ("Conversation", app(.conversation(view: conversation))),
        ("Contact", app(.contact(view: contact))),
        ("Settings", app(.settings(view: settings), notice: Notice(text: "Settings saved.", isError: false))),
        ("Scan", app(.scan(view: ScanView(purpose: .anyCode, hint: "Point the camera at the code.")))),
        ("Introduce", app(.introduce(view: introduce))),
    ]
}

private extension Screen {
    static let choose = Screen.invite(view: Fixtures.choosing)
}

struct AppScreen_Previews: PreviewProvider {
    static var previews: some View {
        ForEach(Fixtures.screens, id: \.0) { screen in
            AppScreen(view: screen.1, send: { _ in }, scanFrame: { _, _, _, _ in false })
                .previewDisplayName(screen.0)
        }
        AppScreen(view: Fixtures.app(.conversation(view: Fixtures.conversation)), send: { _ in }, scanFrame: { _, _, _, _ in false })
            .preferredColorScheme(.dark)
            .dynamicTypeSize(.accessibility2)
            .previewDisplayName("Conversation, dark, large text")
    }
}
#endif
