import SwiftUI
import UIKit

/// The app for one store: renders its views, sends what the person does, and opens
/// `tincan:` links (`Action.received(text:source: .link)`).
public struct RootView: View {
    @ObservedObject private var store: AppStore

    public init(store: AppStore) {
        self.store = store
    }

    public var body: some View {
        let store = self.store
        AppScreen(
            view: store.view,
            send: { store.dispatch($0) },
            scanFrame: { store.scanFrame(width: $0, height: $1, rowStride: $2, luma: $3) }
        )
        .onOpenURL { url in
            store.dispatch(.received(text: url.absoluteString, source: .link))
        }
    }
}

/// The whole app for one `AppView`: the screen on top, the notice under the navigation
/// bar. Stateless — previews render it from fixed values.
///
/// Navigation is the core's: it keeps the stack of screens and says which is on top
/// (`view.screen`) and whether Back leaves it (`view.canGoBack`). A NavigationStack
/// path would be a second stack owned by SwiftUI: the system's swipe pops it before the
/// core hears of it, the core sometimes replaces the top (an invite becomes its
/// conversation once connected) where a path can only push, and the core shows only
/// the top screen, so a swipe would uncover a stale copy of the one below. So the stack
/// here is one level deep: it provides the navigation bar, the screen is switched on
/// `view.screen`, and Back — the toolbar button, or VoiceOver's escape gesture — is
/// `Action.back`. The cost is the edge swipe and the push animation.
public struct AppScreen: View {
    let view: AppView
    let send: Send
    let scanFrame: FrameSink

    public init(view: AppView, send: @escaping Send, scanFrame: @escaping FrameSink) {
        self.view = view
        self.send = send
        self.scanFrame = scanFrame
    }

    public var body: some View {
        NavigationStack {
            screen
                // Keyed by what is shown, so typed text never leaks into the next flow.
                .id(view.screen.key)
                .safeAreaInset(edge: .top, spacing: 0) {
                    if let notice = view.notice {
                        NoticeBar(notice: notice) { send(.dismissNotice) }
                    }
                }
                .toolbar {
                    if view.canGoBack {
                        ToolbarItem(placement: .navigationBarLeading) {
                            Button {
                                send(.back)
                            } label: {
                                HStack(spacing: 4) {
                                    Image(systemName: "chevron.backward")
                                        .fontWeight(.semibold)
                                    Text(Shell.back)
                                }
                            }
                            .accessibilityLabel(Shell.back)
                        }
                    }
                }
                .accessibilityAction(.escape) {
                    if view.canGoBack {
                        send(.back)
                    }
                }
        }
        .onChange(of: view.notice) { notice in
            if let notice {
                UIAccessibility.post(notification: .announcement, argument: notice.text)
            }
        }
    }

    @ViewBuilder
    private var screen: some View {
        switch view.screen {
        case .conversations:
            ConversationsScreen(
                rows: view.conversations, introductions: view.introductions, rooms: view.rooms,
                myName: view.myName, send: send
            )
        case let .invite(invite):
            InviteScreen(view: invite, send: send)
        case let .join(join):
            JoinScreen(view: join, send: send)
        case let .conversation(conversation):
            ConversationScreen(view: conversation, send: send)
        case let .contact(contact):
            ContactScreen(view: contact, send: send)
        case let .settings(settings):
            SettingsScreen(view: settings, send: send)
        case let .scan(scan):
            ScanScreen(view: scan, send: send, scanFrame: scanFrame)
        case let .introduce(introduce):
            IntroduceScreen(view: introduce, send: send)
        case let .newRoom(newRoom):
            NewRoomScreen(view: newRoom, send: send)
        case let .room(room):
            RoomScreen(view: room, send: send)
        case let .network(network):
            NetworkScreen(view: network, send: send)
        }
    }
}

extension Screen {
    /// What is shown, as a key: a new key is a new screen with fresh fields.
    var key: String {
        switch self {
        case .conversations:
            return "list"
        case let .invite(view):
            return "invite-\(view.inviteId)"
        case let .join(view):
            return "join-\(view.conversation)"
        case let .conversation(view):
            return "conversation-\(view.id)"
        case let .contact(view):
            return "contact-\(view.contact)"
        case .settings:
            return "settings"
        case let .scan(view):
            return "scan-\(view.purpose)"
        case let .introduce(view):
            return "introduce-\(view.conversation)"
        case .newRoom:
            return "new-room"
        case let .room(view):
            return "room-\(view.id)"
        case .network:
            return "network"
        }
    }
}

/// Shown instead of the app when its data could not be opened: the core's words.
public struct OpenFailedView: View {
    let message: String

    public init(message: String) {
        self.message = message
    }

    public var body: some View {
        VStack(spacing: 16) {
            Image(systemName: "exclamationmark.triangle")
                .font(.largeTitle)
                .foregroundStyle(Color.orange)
                .accessibilityHidden(true)
            Text(Shell.openFailed)
                .font(.title2.weight(.semibold))
                .multilineTextAlignment(.center)
                .accessibilityAddTraits(.isHeader)
            Text(message)
                .multilineTextAlignment(.center)
                .foregroundStyle(Color.secondary)
        }
        .padding(32)
    }
}
