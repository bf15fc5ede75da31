import SwiftUI
import UIKit

/// The conversation list: introductions waiting for an answer, the group rooms (with
/// "New room"), then chats, invites waiting for a reply, replies waiting for their
/// inviter; and the ways to start — Invite, Paste, Scan, a picture of a code.
struct ConversationsScreen: View {
    let rows: [ConversationRow]
    var introductions: [IntroductionRow] = []
    var rooms: [RoomRow] = []
    let myName: String
    let send: Send

    var body: some View {
        List {
            if !myName.isEmpty {
                Text(myName)
                    .font(.subheadline)
                    .foregroundStyle(Color.secondary)
                    .listRowSeparator(.hidden)
            }
            // Introductions wait for an answer: above the chats, like an alert.
            ForEach(introductions, id: \.id) { intro in
                IntroductionCard(row: intro, send: send)
                    .listRowSeparator(.hidden)
            }
            if !(rows.isEmpty && introductions.isEmpty && rooms.isEmpty) {
                RoomsSection(rooms: rooms, send: send)
            }
            Section {
                ForEach(rows, id: \.id) { row in
                    Button {
                        send(row.opening)
                    } label: {
                        RowView(row: row)
                    }
                    .buttonStyle(.plain)
                }
            } header: {
                if !rows.isEmpty {
                    Text(Shell.chats)
                }
            }
            if rows.contains(where: { $0.kind == .chat }) {
                Label(Shell.backgroundNote, systemImage: "moon.zzz")
                    .font(.footnote)
                    .foregroundStyle(Color.secondary)
                    .listRowSeparator(.hidden)
                    .padding(.top, 8)
            }
        }
        .listStyle(.plain)
        .overlay {
            if rows.isEmpty && introductions.isEmpty && rooms.isEmpty {
                EmptyList()
            }
        }
        .navigationTitle(Shell.appTitle)
        .toolbar {
            ToolbarItem(placement: .navigationBarTrailing) {
                Button {
                    send(.openSettings)
                } label: {
                    Label(Shell.settings, systemImage: "gearshape")
                }
            }
        }
        .safeAreaInset(edge: .bottom, spacing: 0) {
            StartBar(send: send)
        }
    }
}

extension ConversationRow {
    /// What tapping the row does: open the chat, or show the waiting invite again.
    var opening: Action {
        switch kind {
        case .waitingInvite:
            return .openInvite(inviteId: id)
        case .chat, .waitingJoin:
            return .openConversation(id: id)
        }
    }
}

private struct EmptyList: View {
    var body: some View {
        VStack(spacing: 12) {
            Image(systemName: "bubble.left.and.bubble.right")
                .font(.system(size: 48))
                .foregroundStyle(Color.accentColor)
                .accessibilityHidden(true)
            Text(Shell.emptyTitle)
                .font(.title3.weight(.semibold))
                .multilineTextAlignment(.center)
            Text(Shell.emptyBody)
                .foregroundStyle(Color.secondary)
                .multilineTextAlignment(.center)
        }
        .padding(32)
    }
}

/// The ways to start, in reach of a thumb: in a row while they fit, else stacked
/// (large text sizes, narrow phones).
private struct StartBar: View {
    let send: Send

    var body: some View {
        ViewThatFits(in: .horizontal) {
            HStack(spacing: 10) {
                buttons
            }
            VStack(alignment: .leading, spacing: 10) {
                buttons
            }
        }
        .padding(.horizontal, 16)
        .padding(.vertical, 10)
        .frame(maxWidth: .infinity)
        .background(.bar)
    }

    @ViewBuilder
    private var buttons: some View {
        Button {
            send(.startInvite)
        } label: {
            Label(Shell.invite, systemImage: "person.badge.plus")
        }
        .buttonStyle(.borderedProminent)
        PasteCodeButton(send: send)
        Button {
            send(.openScanner(purpose: .anyCode))
        } label: {
            Label(Shell.scan, systemImage: "qrcode.viewfinder")
        }
        .buttonStyle(.bordered)
        PictureButton(send: send)
            .buttonStyle(.bordered)
    }
}

/// One row: avatar with its connection dot, name, time, preview, status, unread count.
private struct RowView: View {
    let row: ConversationRow

    var body: some View {
        HStack(alignment: .top, spacing: 12) {
            Avatar(row: row)
            VStack(alignment: .leading, spacing: 3) {
                HStack(alignment: .firstTextBaseline) {
                    Text(row.title)
                        .font(.headline.weight(row.unread > 0 ? .bold : .semibold))
                        .lineLimit(2)
                    if row.verified {
                        Image(systemName: "checkmark.seal.fill")
                            .foregroundStyle(Color.accentColor)
                            .accessibilityLabel(Shell.verified)
                    }
                    Spacer(minLength: 8)
                    Text(row.timeLabel)
                        .font(.caption)
                        .foregroundStyle(row.unread > 0 ? Color.accentColor : Color.secondary)
                }
                PreviewLine(text: row.preview, unread: row.unread)
                HStack(spacing: 6) {
                    ConnectionDot(connection: row.connection)
                    Text(row.status)
                        .font(.caption)
                        .foregroundStyle(Color.secondary)
                }
            }
        }
        .padding(.vertical, 4)
        .contentShape(Rectangle())
        .accessibilityElement(children: .combine)
        .accessibilityAddTraits(.isButton)
    }
}

private struct Avatar: View {
    let row: ConversationRow

    var body: some View {
        ZStack(alignment: .bottomTrailing) {
            Circle()
                .fill(Color.accentColor.opacity(row.kind == .chat ? 0.2 : 0.1))
                .frame(width: 48, height: 48)
                .overlay {
                    if row.kind == .chat {
                        Text(initial)
                            .font(.title2.weight(.semibold))
                            .foregroundStyle(Color.accentColor)
                    } else {
                        Image(systemName: "hourglass")
                            .font(.title3)
                            .foregroundStyle(Color.accentColor)
                    }
                }
            if row.kind == .chat {
                ConnectionDot(connection: row.connection, size: 12)
                    .overlay(Circle().stroke(Color(uiColor: .systemBackground), lineWidth: 2))
            }
        }
        .accessibilityHidden(true)
    }

    /// The first letter of the name.
    private var initial: String {
        row.title.trimmingCharacters(in: .whitespaces).first.map { String($0).uppercased() } ?? "?"
    }
}
