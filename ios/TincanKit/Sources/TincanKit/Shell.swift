import Foundation

/// The few words the shell owns: button labels, screen titles, descriptions for
/// VoiceOver, and what iOS does in the background. Everything else a person reads
/// comes from the core's view.
///
/// The keys are the English words, translated in Resources/Localizable.xcstrings;
/// ios/scripts/swift_syntax.py checks that every `word("…")` here is in the catalog
/// and every key there is used.
enum Shell {
    static var appTitle: String { word("Tincan") }
    static var back: String { word("Back") }
    static var settings: String { word("Settings") }
    static var invite: String { word("Invite") }
    static var scan: String { word("Scan") }
    static var openPicture: String { word("Picture") }
    static var emptyTitle: String { word("No conversations yet") }
    static var emptyBody: String { word("Invite someone, or paste or scan a code someone sent you.") }
    static var dismiss: String { word("Dismiss") }
    static var warning: String { word("Warning") }
    static var working: String { word("Working") }
    static var verified: String { word("Verified") }
    static var notVerified: String { word("Not verified") }

    static var inviteTitle: String { word("New invite") }
    static var protection: String { word("Protection") }
    static var protectionQuestion: String { word("Question") }
    static var protectionInPerson: String { word("In person") }
    static var protectionPrivate: String { word("Private") }
    static var question: String { word("Question") }
    static var answer: String { word("Answer") }
    static var createInvite: String { word("Create invite") }
    static var inviteCode: String { word("Invite code") }
    static var theReply: String { word("When the reply comes") }
    static var cancelInvite: String { word("Cancel invite") }
    static var cancelInviteConfirm: String { word("Cancel this invite? A reply to it will be refused.") }

    static var qrCode: String { word("QR code") }
    static var share: String { word("Share") }
    static var shareQr: String { word("Share QR code") }
    static var copy: String { word("Copy") }
    static var copied: String { word("Copied") }

    static var joinTitle: String { word("Answer an invite") }
    static var yourAnswer: String { word("Your answer") }
    static var submitAnswer: String { word("Send answer") }
    static var yourReply: String { word("Your reply") }

    static var send: String { word("Send") }
    static var message: String { word("Message") }
    static var reply: String { word("Reply") }
    static var loadEarlier: String { word("Show earlier messages") }
    static var makeFollowUpCode: String { word("Make follow-up code") }
    static var followUpCode: String { word("Follow-up code") }
    static var contactDetails: String { word("Contact details") }
    static var moreOptions: String { word("More options") }
    static var endConversation: String { word("End conversation") }
    static var endConversationConfirm: String { word("End this conversation for good?") }
    static var attach: String { word("Attach a photo or file") }
    static var photo: String { word("Photo") }
    static var file: String { word("File") }
    static var accept: String { word("Accept") }
    static var decline: String { word("Decline") }
    static var openFile: String { word("Open") }
    static var cancel: String { word("Cancel") }

    static var safetyNumber: String { word("Safety number") }
    static var scanTheirCode: String { word("Scan their code") }
    static var introduceTo: String { word("Introduce to…") }
    static var introductionsMade: String { word("Introductions you made") }
    static var markVerified: String { word("Mark as verified") }
    static var markNotVerified: String { word("Mark as not verified") }
    static var acceptNewKey: String { word("Accept new key") }

    static var rooms: String { word("Rooms") }
    static var chats: String { word("Chats") }
    static var newRoom: String { word("New room") }
    static var noRooms: String { word("No rooms yet. A room is one chat for several of your contacts.") }
    static var roomName: String { word("Room name") }
    static var roomWho: String { word("Who is in it") }
    static var createRoom: String { word("Create room") }
    static var posts: String { word("Posts") }
    static var members: String { word("Members") }
    static var post: String { word("Post") }
    static var admin: String { word("Admin") }
    static var addMember: String { word("Add member") }
    static var add: String { word("Add") }
    static var remove: String { word("Remove") }
    static var leaveRoom: String { word("Leave room") }
    static var leaveRoomConfirm: String { word("Leave this room?") }
    static var network: String { word("Relaying and holding") }
    static var passedOn: String { word("Passed on lately") }

    static var settingsTitle: String { word("Settings") }
    static var displayName: String { word("Your name") }
    static var stunServers: String { word("STUN servers") }
    static var stunServersFormat: String { word("One host:port per line.") }
    static var inviteLifetime: String { word("Invites stay valid (hours)") }
    static var save: String { word("Save") }
    static var onThisIPhone: String { word("On this iPhone") }
    static var backgroundNote: String {
        word(
            "iPhone lets Tincan stay connected only while it is open and for about half a minute after you leave it. Then it pauses Tincan: messages sent to you wait on the sender’s phone and arrive when you open Tincan again, without a notification."
        )
    }

    static var scanTitle: String { word("Scan a code") }
    static var scanSafetyTitle: String { word("Scan a safety number") }
    static var cameraPreview: String { word("Camera preview") }
    static var cameraDenied: String { word("Tincan may not use the camera. You can allow it in Settings, or paste the code instead.") }
    static var openSettings: String { word("Open Settings") }
    static var openFailed: String { word("Tincan could not open its data") }

    /// "Remove Ben from this room?", before removing a member.
    static func removeMember(_ name: String) -> String {
        String(format: word("Remove %@ from this room?"), name)
    }

    /// "3 unread", for VoiceOver on a row's badge.
    static func unread(_ count: Int) -> String {
        String(localized: "\(count) unread", bundle: .module)
    }

    private static func word(_ key: String.LocalizationValue) -> String {
        String(localized: key, bundle: .module)
    }
}
