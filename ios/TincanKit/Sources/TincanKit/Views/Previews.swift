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

    static let rooms = [
        RoomRow(
            id: "r1", name: "Saturday picnic", memberCount: 4, membersText: "4 members",
            preview: "Dan (not your contact): Can I bring my sister?", timeLabel: "14:12", unread: 2, joined: true
        ),
        RoomRow(
            id: "r2", name: "Flat 3B", memberCount: 2, membersText: "2 members",
            preview: "You are no longer in this room", timeLabel: "2 Dec", unread: 0, joined: false
        ),
    ]

    static let newRoom = NewRoomView(
        name: "Saturday picnic",
        explanation: "Everyone you pick can read and write in the room. Posts travel only between members' phones, sealed for the members; members who are not connected to each other get them through the others.",
        candidates: [
            RoomCandidate(conversation: "c1", name: "Ben", status: "connected", chosen: true),
            RoomCandidate(conversation: "c2", name: "Cleo", status: "offline · 1 message waiting", chosen: false),
        ],
        empty: "", canCreate: true, error: nil
    )

    static let room = RoomView(
        id: "r1", name: "Saturday picnic", subtitle: "4 members · you are an admin", joined: true, isAdmin: true,
        banner: "",
        posts: [
            RoomPostView(
                key: "a-1", author: "ka", authorName: "you", mine: true, notContact: false,
                text: "Who's in for Saturday? The park by the river, around noon", readable: true, time: "13:58"
            ),
            RoomPostView(
                key: "b-1", author: "kb", authorName: "Ben", mine: false, notContact: false,
                text: "In! I'll bring the cake", readable: true, time: "14:02"
            ),
            RoomPostView(
                key: "c-1", author: "kc", authorName: "Cleo", mine: false, notContact: false,
                text: "No key for this post", readable: false, time: "14:05"
            ),
            RoomPostView(
                key: "d-1", author: "kd", authorName: "Dan (not your contact)", mine: false, notContact: true,
                text: "Can I bring my sister?", readable: true, time: "14:12"
            ),
        ],
        empty: "",
        members: [
            RoomMemberView(
                key: "ka", name: "You", isAdmin: true, isMe: true,
                label: "You · admin", notContact: false, canRemove: false
            ),
            RoomMemberView(
                key: "kb", name: "Ben", isAdmin: false, isMe: false,
                label: "Ben", notContact: false, canRemove: true
            ),
            RoomMemberView(
                key: "kc", name: "Cleo", isAdmin: false, isMe: false,
                label: "Cleo", notContact: false, canRemove: true
            ),
            RoomMemberView(
                key: "kd", name: "Dan (not your contact)", isAdmin: false, isMe: false,
                label: "Dan (not your contact)", notContact: true, canRemove: true
            ),
        ],
        canPost: true, composerHint: "Post to Saturday picnic", canAdd: true,
        addable: [RoomCandidate(conversation: "c4", name: "Dana", status: "connected", chosen: false)],
        canLeave: true
    )

    static let roomRemoved = RoomView(
        id: "r2", name: "Flat 3B", subtitle: "2 members", joined: false, isAdmin: false,
        banner: "You were removed from this room. What is posted from now on is sealed with keys you do not get.",
        posts: [
            RoomPostView(
                key: "a-1", author: "ka", authorName: "Ana", mine: false, notContact: false,
                text: "Rent is due on Friday", readable: true, time: "09:10"
            ),
            RoomPostView(
                key: "a-2", author: "ka", authorName: "Ana", mine: false, notContact: false,
                text: "No key for this post", readable: false, time: "11:02"
            ),
        ],
        empty: "",
        members: [
            RoomMemberView(
                key: "ka", name: "Ana", isAdmin: true, isMe: false,
                label: "Ana · admin", notContact: false, canRemove: false
            ),
        ],
        canPost: false, composerHint: "You are no longer in this room", canAdd: false, addable: [], canLeave: false
    )

    static let network = NetworkView(
        holding: true, holdingLabel: "Hold letters for contacts who are offline",
        holdingHelp: "When a contact cannot reach another of your contacts, your phone keeps their sealed letters (at most a week) and hands them over when you meet the person. You cannot read them; you see who wrote to whom, when, and the size.",
        heldCount: 2, heldBytes: 1229, heldText: "Holding 2 letters (1.2 KB) for contacts who are offline.",
        relaysHelp: "Your phone passes on sealed connection details between two of your contacts who cannot reach each other directly. It cannot read them.",
        relays: [
            RelayRow(time: "14:05", from: "Ben", to: "Cleo", size: "812 B", text: "Ben → Cleo · 812 B · 14:05"),
        ],
        relaysEmpty: ""
    )

    static func app(_ screen: Screen, notice: Notice? = nil) -> AppView {
        AppView(
            revision: 1, screen: screen, canGoBack: screen != .conversations, conversations: rows,
            notice: notice, keepAlive: KeepAlive(needed: false, text: ""), alerts: [], myName: "Ana",
            introductions: screen == .conversations ? introductions : [],
            rooms: screen == .conversations ? rooms : []
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
        ("New room", app(.newRoom(view: newRoom))),
        ("Room", app(.room(view: room))),
        ("Room, removed", app(.room(view: roomRemoved))),
        ("Network", app(.network(view: network))),
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
        NavigationStack {
            RoomScreen(view: Fixtures.room, send: { _ in }, tab: .members)
        }
        .previewDisplayName("Room members")
        NavigationStack {
            RoomScreen(view: Fixtures.room, send: { _ in }, tab: .members)
        }
        .dynamicTypeSize(.accessibility2)
        .previewDisplayName("Room members, large text")
        AppScreen(view: Fixtures.app(.room(view: Fixtures.room)), send: { _ in }, scanFrame: { _, _, _, _ in false })
            .preferredColorScheme(.dark)
            .previewDisplayName("Room, dark")
    }
}
#endif
