import SwiftUI

/// The rooms section of the conversation list: its heading with "New room", then the
/// person's rooms (newest activity first, as the core orders them).
struct RoomsSection: View {
    let rooms: [RoomRow]
    let send: Send

    var body: some View {
        Section {
            if rooms.isEmpty {
                Text(Shell.noRooms)
                    .font(.subheadline)
                    .foregroundStyle(.secondary)
            }
            ForEach(rooms, id: \.id) { room in
                Button {
                    send(.openRoom(id: room.id))
                } label: {
                    RoomRowView(room: room)
                }
                .buttonStyle(.plain)
            }
        } header: {
            HStack {
                Text(Shell.rooms)
                    .accessibilityAddTraits(.isHeader)
                Spacer(minLength: 8)
                Button {
                    send(.startRoom)
                } label: {
                    Label(Shell.newRoom, systemImage: "plus")
                }
                .font(.subheadline.weight(.semibold))
            }
            .textCase(nil)
        }
    }
}

/// One room in the list: its name, time, newest post, unread count, members.
private struct RoomRowView: View {
    let room: RoomRow

    var body: some View {
        HStack(alignment: .top, spacing: 12) {
            Circle()
                .fill(Color.accentColor.opacity(room.joined ? 0.2 : 0.08))
                .frame(width: 48, height: 48)
                .overlay {
                    Image(systemName: "person.3.fill")
                        .font(.body)
                        .foregroundStyle(room.joined ? Color.accentColor : Color.secondary)
                }
                .accessibilityHidden(true)
            VStack(alignment: .leading, spacing: 3) {
                HStack(alignment: .firstTextBaseline) {
                    Text(room.name)
                        .font(.headline.weight(room.unread > 0 ? .bold : .semibold))
                        .foregroundStyle(room.joined ? Color.primary : Color.secondary)
                        .lineLimit(2)
                    Spacer(minLength: 8)
                    Text(room.timeLabel)
                        .font(.caption)
                        .foregroundStyle(room.unread > 0 ? Color.accentColor : Color.secondary)
                }
                PreviewLine(text: room.preview, unread: room.unread, italic: !room.joined)
                Text(room.membersText)
                    .font(.caption)
                    .foregroundStyle(Color.secondary)
            }
        }
        .padding(.vertical, 4)
        .contentShape(Rectangle())
        .accessibilityElement(children: .combine)
        .accessibilityAddTraits(.isButton)
    }
}

/// Making a room: what a room is, its name, the contacts to tick, Create. The name is the
/// person's while typing; each change goes to the core, which says whether Create may be
/// pressed.
struct NewRoomScreen: View {
    let view: NewRoomView
    let send: Send
    @State private var name: String

    init(view: NewRoomView, send: @escaping Send) {
        self.view = view
        self.send = send
        _name = State(initialValue: view.name)
    }

    var body: some View {
        Form {
            Section {
                TextField(Shell.roomName, text: $name)
            } header: {
                Text(Shell.roomName)
            } footer: {
                Text(view.explanation)
            }
            Section {
                if view.candidates.isEmpty {
                    Text(view.empty)
                        .foregroundStyle(Color.secondary)
                }
                ForEach(view.candidates, id: \.conversation) { candidate in
                    Button {
                        send(.chooseRoomMember(conversation: candidate.conversation, chosen: !candidate.chosen))
                    } label: {
                        HStack(spacing: 12) {
                            Image(systemName: candidate.chosen ? "checkmark.circle.fill" : "circle")
                                .font(.title3)
                                .foregroundStyle(candidate.chosen ? Color.accentColor : Color.secondary)
                                .accessibilityHidden(true)
                            NameAndStatus(name: candidate.name, status: candidate.status)
                            Spacer(minLength: 0)
                        }
                        .contentShape(Rectangle())
                    }
                    .buttonStyle(.plain)
                    .accessibilityAddTraits(candidate.chosen ? .isSelected : [])
                }
            } header: {
                Text(Shell.roomWho)
            }
            if let error = view.error {
                Section {
                    ErrorLine(text: error)
                }
            }
            Section {
                Button(Shell.createRoom) {
                    send(.createRoom)
                }
                .disabled(!view.canCreate)
            }
        }
        .onChange(of: name) { _ in
            send(.editRoomName(name: name))
        }
        .navigationTitle(Shell.newRoom)
        .navigationBarTitleDisplayMode(.inline)
    }
}

/// A contact's name over their connection state in words.
private struct NameAndStatus: View {
    let name: String
    let status: String

    var body: some View {
        VStack(alignment: .leading, spacing: 2) {
            Text(name)
                .font(.headline)
            Text(status)
                .font(.subheadline)
                .foregroundStyle(Color.secondary)
        }
        .accessibilityElement(children: .combine)
    }
}

/// One group room: the banner once the person is out of it, and two tabs — the posts
/// (oldest at the top, newest just above the composer, each with its author) with the
/// composer while the person is a member, and the members (admin marks, Remove where the
/// core allows it, Add member, Leave room).
struct RoomScreen: View {
    let view: RoomView
    let send: Send
    @State private var tab: RoomTab

    init(view: RoomView, send: @escaping Send, tab: RoomTab = .posts) {
        self.view = view
        self.send = send
        _tab = State(initialValue: tab)
    }

    var body: some View {
        Group {
            switch tab {
            case .posts:
                RoomPosts(view: view)
            case .members:
                RoomMembers(view: view, send: send)
            }
        }
        .safeAreaInset(edge: .top, spacing: 0) {
            VStack(spacing: 0) {
                if !view.banner.isEmpty {
                    Label(view.banner, systemImage: "nosign")
                        .font(.subheadline)
                        .padding(.horizontal, 16)
                        .padding(.vertical, 10)
                        .frame(maxWidth: .infinity, alignment: .leading)
                        .background(Color.gray.opacity(0.15))
                }
                Picker(Shell.members, selection: $tab) {
                    Text(Shell.posts).tag(RoomTab.posts)
                    Text(Shell.members).tag(RoomTab.members)
                }
                .pickerStyle(.segmented)
                .labelsHidden()
                .padding(.horizontal, 16)
                .padding(.vertical, 8)
                .background(.bar)
            }
        }
        .safeAreaInset(edge: .bottom, spacing: 0) {
            if tab == .posts {
                RoomComposer(view: view, send: send)
            }
        }
        .navigationTitle(view.name)
        .navigationBarTitleDisplayMode(.inline)
        .toolbar {
            ToolbarItem(placement: .principal) {
                VStack(spacing: 1) {
                    Text(view.name)
                        .font(.headline)
                        .lineLimit(1)
                    Text(view.subtitle)
                        .font(.caption)
                        .foregroundStyle(Color.secondary)
                        .lineLimit(1)
                }
                .accessibilityElement(children: .combine)
                .accessibilityAddTraits(.isHeader)
            }
        }
    }
}

/// The room screen's two tabs.
enum RoomTab: Hashable {
    case posts
    case members
}

private struct RoomPosts: View {
    let view: RoomView

    var body: some View {
        if view.posts.isEmpty {
            ScrollView {
                Text(view.empty)
                    .foregroundStyle(Color.secondary)
                    .multilineTextAlignment(.center)
                    .padding(32)
                    .frame(maxWidth: .infinity)
            }
        } else {
            ScrollViewReader { scroller in
                ScrollView {
                    LazyVStack(spacing: 8) {
                        ForEach(view.posts, id: \.key) { post in
                            PostView(post: post)
                                .id(post.key)
                        }
                    }
                    .padding(.horizontal, 12)
                    .padding(.vertical, 8)
                }
                .scrollDismissesKeyboard(.interactively)
                .onAppear {
                    if let newest = view.posts.last?.key {
                        scroller.scrollTo(newest, anchor: .bottom)
                    }
                }
                .onChange(of: view.posts.last?.key) { newest in
                    if let newest {
                        withAnimation {
                            scroller.scrollTo(newest, anchor: .bottom)
                        }
                    }
                }
            }
        }
    }
}

/// One post: its author above it (marked when not a contact: the name is only what they
/// call themselves), the text and when it arrived. A post this phone has no key for is
/// shown quietly, as an outline with the core's words.
private struct PostView: View {
    let post: RoomPostView

    var body: some View {
        VStack(alignment: post.mine ? .trailing : .leading, spacing: 2) {
            HStack(spacing: 4) {
                if post.notContact {
                    Image(systemName: "info.circle.fill")
                        .accessibilityHidden(true)
                }
                Text(post.authorName)
            }
            .font(.caption.weight(.semibold))
            .foregroundStyle(post.notContact ? Color.orange : (post.mine ? Color.secondary : Color.accentColor))
            .padding(.horizontal, 6)
            HStack {
                if post.mine {
                    Spacer(minLength: 48)
                }
                VStack(alignment: .trailing, spacing: 2) {
                    if post.readable {
                        Text(post.text)
                            .textSelection(.enabled)
                    } else {
                        Label(post.text, systemImage: "lock.fill")
                            .font(.subheadline.italic())
                            .foregroundStyle(Color.secondary)
                    }
                    if !post.time.isEmpty {
                        Text(post.time)
                            .font(.caption2)
                            .opacity(0.75)
                    }
                }
                .padding(.horizontal, 12)
                .padding(.vertical, 8)
                .foregroundStyle(post.mine && post.readable ? Color.white : Color.primary)
                .background(bubble)
                if !post.mine {
                    Spacer(minLength: 48)
                }
            }
        }
        .frame(maxWidth: .infinity, alignment: post.mine ? .trailing : .leading)
        .accessibilityElement(children: .combine)
    }

    @ViewBuilder
    private var bubble: some View {
        let shape = RoundedRectangle(cornerRadius: 18, style: .continuous)
        if !post.readable {
            shape.strokeBorder(Color.secondary.opacity(0.4))
        } else if post.mine {
            shape.fill(Color.accentColor)
        } else {
            shape.fill(Color(uiColor: .secondarySystemBackground))
        }
    }
}

/// The composer while the person is a member; otherwise the core's words for why not.
private struct RoomComposer: View {
    let view: RoomView
    let send: Send
    @State private var draft = ""

    var body: some View {
        Group {
            if view.canPost {
                HStack(alignment: .bottom, spacing: 8) {
                    TextField(view.composerHint, text: $draft, axis: .vertical)
                        .lineLimit(1...5)
                        .padding(.horizontal, 14)
                        .padding(.vertical, 8)
                        .background(
                            RoundedRectangle(cornerRadius: 20, style: .continuous)
                                .fill(Color(uiColor: .secondarySystemBackground))
                        )
                    Button {
                        let text = draft
                        draft = ""
                        send(.postToRoom(text: text))
                    } label: {
                        Image(systemName: "arrow.up.circle.fill")
                            .font(.system(size: 32))
                    }
                    .accessibilityLabel(Shell.post)
                    .disabled(draft.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
                }
                .padding(.horizontal, 12)
            } else {
                Text(view.composerHint)
                    .font(.subheadline)
                    .foregroundStyle(Color.secondary)
                    .multilineTextAlignment(.center)
                    .frame(maxWidth: .infinity)
                    .padding(.horizontal, 16)
            }
        }
        .padding(.vertical, 8)
        .background(.bar)
    }
}

/// The members: the person first, admins marked, Remove where the core allows it; Add
/// member lists the contacts not yet in the room; Leave room at the end.
private struct RoomMembers: View {
    let view: RoomView
    let send: Send
    @State private var adding = false
    @State private var removing: RoomMemberView?
    @State private var leaving = false

    var body: some View {
        List {
            Section {
                ForEach(view.members, id: \.key) { member in
                    MemberRow(member: member) {
                        removing = member
                    }
                }
            }
            if view.canAdd {
                Section {
                    if adding {
                        ForEach(view.addable, id: \.conversation) { candidate in
                            // Side by side when they fit; stacked at the largest text sizes.
                            ViewThatFits(in: .horizontal) {
                                HStack(spacing: 12) {
                                    NameAndStatus(name: candidate.name, status: candidate.status)
                                    Spacer(minLength: 8)
                                    addButton(candidate)
                                }
                                VStack(alignment: .leading, spacing: 8) {
                                    NameAndStatus(name: candidate.name, status: candidate.status)
                                    addButton(candidate)
                                }
                            }
                        }
                        Button(Shell.cancel) {
                            adding = false
                        }
                    } else {
                        Button {
                            adding = true
                        } label: {
                            Label(Shell.addMember, systemImage: "person.badge.plus")
                        }
                    }
                } header: {
                    if adding {
                        Text(Shell.addMember)
                    }
                }
            }
            if view.canLeave {
                Section {
                    Button(Shell.leaveRoom, role: .destructive) {
                        leaving = true
                    }
                }
            }
        }
        .confirmationDialog(
            removing.map { Shell.removeMember($0.name) } ?? "",
            isPresented: Binding(get: { removing != nil }, set: { if !$0 { removing = nil } }),
            titleVisibility: .visible,
            presenting: removing
        ) { member in
            Button(Shell.remove, role: .destructive) {
                send(.removeRoomMember(member: member.key))
            }
        }
        .confirmationDialog(Shell.leaveRoomConfirm, isPresented: $leaving, titleVisibility: .visible) {
            Button(Shell.leaveRoom, role: .destructive) {
                send(.leaveRoom)
            }
        }
    }

    private func addButton(_ candidate: RoomCandidate) -> some View {
        Button(Shell.add) {
            send(.addRoomMember(conversation: candidate.conversation))
        }
        .buttonStyle(.borderedProminent)
    }
}

/// One member: "Ben · admin" with the admin mark, Remove when allowed.
private struct MemberRow: View {
    let member: RoomMemberView
    let remove: () -> Void

    var body: some View {
        // Side by side when they fit; stacked at the largest text sizes.
        ViewThatFits(in: .horizontal) {
            HStack(spacing: 12) {
                name
                Spacer(minLength: 8)
                removeButton
            }
            VStack(alignment: .leading, spacing: 8) {
                name
                removeButton
            }
        }
    }

    private var name: some View {
        HStack(spacing: 6) {
            if member.notContact {
                Image(systemName: "info.circle.fill")
                    .foregroundStyle(Color.orange)
                    .accessibilityHidden(true)
            }
            Text(member.label)
                .fontWeight(member.isMe ? .semibold : .regular)
                .foregroundStyle(member.notContact ? Color.orange : Color.primary)
            if member.isAdmin {
                Image(systemName: "shield")
                    .foregroundStyle(Color.accentColor)
                    .accessibilityLabel(Shell.admin)
            }
        }
        .accessibilityElement(children: .combine)
    }

    @ViewBuilder
    private var removeButton: some View {
        if member.canRemove {
            Button(Shell.remove, action: remove)
                .buttonStyle(.bordered)
        }
    }
}
