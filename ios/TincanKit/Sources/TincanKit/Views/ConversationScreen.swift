import SwiftUI
import UIKit

/// One conversation: who and how connected (tap for the contact), a banner when
/// something is wrong, a follow-up code when a connection is stuck, the messages with
/// day separators and ticks, and the composer.
struct ConversationScreen: View {
    let view: ConversationView
    let send: Send
    @State private var confirmEnd = false

    var body: some View {
        ScrollViewReader { scroller in
            ScrollView {
                LazyVStack(spacing: 6) {
                    if view.hasEarlier {
                        Button(Shell.loadEarlier) {
                            send(.loadEarlier)
                        }
                        .font(.footnote)
                        .padding(.vertical, 6)
                    }
                    ForEach(view.items, id: \.key) { item in
                        ItemView(item: item, send: send)
                    }
                }
                .padding(.horizontal, 12)
                .padding(.vertical, 8)
            }
            .scrollDismissesKeyboard(.interactively)
            .onAppear {
                scrollToNewest(scroller)
            }
            .onChange(of: view.items.last?.key) { _ in
                withAnimation {
                    scrollToNewest(scroller)
                }
            }
        }
        .safeAreaInset(edge: .top, spacing: 0) {
            VStack(spacing: 0) {
                if let banner = view.banner {
                    BannerView(banner: banner, hasContact: !view.contact.isEmpty, send: send)
                }
                if let offer = view.followUp {
                    FollowUpView(offer: offer, send: send)
                }
            }
        }
        .safeAreaInset(edge: .bottom, spacing: 0) {
            Composer(view: view, send: send)
        }
        .navigationTitle(view.title)
        .navigationBarTitleDisplayMode(.inline)
        .toolbar {
            ToolbarItem(placement: .principal) {
                TitleButton(view: view, send: send)
            }
            ToolbarItem(placement: .navigationBarTrailing) {
                Menu {
                    if !view.contact.isEmpty {
                        Button {
                            send(.openContact)
                        } label: {
                            Label(Shell.contactDetails, systemImage: "person.crop.circle")
                        }
                    }
                    Button(role: .destructive) {
                        confirmEnd = true
                    } label: {
                        Label(Shell.endConversation, systemImage: "xmark.octagon")
                    }
                } label: {
                    Label(Shell.moreOptions, systemImage: "ellipsis.circle")
                }
            }
        }
        .confirmationDialog(Shell.endConversationConfirm, isPresented: $confirmEnd, titleVisibility: .visible) {
            Button(Shell.endConversation, role: .destructive) {
                send(.endConversation)
            }
        }
    }

    private func scrollToNewest(_ scroller: ScrollViewProxy) {
        if let newest = view.items.last?.key {
            scroller.scrollTo(newest, anchor: .bottom)
        }
    }
}

extension ConversationItem {
    /// Stable and unique across both kinds.
    var key: String {
        switch self {
        case let .day(key, _):
            return "day-\(key)"
        case let .message(key, _, _, _, _, _, _):
            return "message-\(key)"
        }
    }
}

/// The name with its verified seal over the connection state; opens the contact.
private struct TitleButton: View {
    let view: ConversationView
    let send: Send

    var body: some View {
        Button {
            send(.openContact)
        } label: {
            VStack(spacing: 1) {
                HStack(spacing: 4) {
                    Text(view.title)
                        .font(.headline)
                        .lineLimit(1)
                    if view.verified {
                        Image(systemName: "checkmark.seal.fill")
                            .font(.caption)
                            .foregroundStyle(Color.accentColor)
                            .accessibilityLabel(Shell.verified)
                    }
                }
                HStack(spacing: 4) {
                    ConnectionDot(connection: view.connection, size: 7)
                    Text(view.subtitle)
                        .font(.caption)
                        .foregroundStyle(Color.secondary)
                        .lineLimit(1)
                }
            }
            .foregroundStyle(Color.primary)
        }
        .buttonStyle(.plain)
        .disabled(view.contact.isEmpty)
        .accessibilityElement(children: .combine)
        .accessibilityHint(view.contact.isEmpty ? "" : Shell.contactDetails)
    }
}

/// The core's banner, coloured by kind; a changed key leads to the contact screen.
private struct BannerView: View {
    let banner: Banner
    let hasContact: Bool
    let send: Send

    var body: some View {
        VStack(alignment: .leading, spacing: 8) {
            Label {
                Text(banner.text)
                    .font(.subheadline)
            } icon: {
                Image(systemName: icon)
                    .foregroundStyle(tint)
                    .accessibilityLabel(Shell.warning)
                    .accessibilityHidden(banner.kind != .keyChanged)
            }
            if banner.kind == .keyChanged && hasContact {
                Button(Shell.contactDetails) {
                    send(.openContact)
                }
                .buttonStyle(.borderedProminent)
                .tint(Color.red)
                .frame(maxWidth: .infinity, alignment: .trailing)
            }
        }
        .padding(.horizontal, 16)
        .padding(.vertical, 10)
        .frame(maxWidth: .infinity, alignment: .leading)
        .background(tint.opacity(0.15))
    }

    private var icon: String {
        switch banner.kind {
        case .keyChanged:
            return "exclamationmark.triangle.fill"
        case .reconnecting, .connecting:
            return "arrow.triangle.2.circlepath"
        case .offline:
            return "wifi.slash"
        case .ended:
            return "nosign"
        }
    }

    private var tint: Color {
        switch banner.kind {
        case .keyChanged:
            return .red
        case .reconnecting, .connecting:
            return .orange
        case .offline, .ended:
            return .gray
        }
    }
}

/// A follow-up code offered when the connection is stuck: make it, then share it.
private struct FollowUpView: View {
    let offer: FollowUpOffer
    let send: Send

    var body: some View {
        VStack(alignment: .leading, spacing: 12) {
            Text(offer.explanation)
                .font(.subheadline)
            if offer.code.isEmpty {
                Button(Shell.makeFollowUpCode) {
                    send(.makeFollowUpCode)
                }
                .buttonStyle(.borderedProminent)
            } else {
                ShareButtons(shareText: offer.shareText, qrPayload: offer.code)
                CodeBlock(title: Shell.followUpCode, code: offer.code)
            }
        }
        .padding(16)
        .frame(maxWidth: .infinity, alignment: .leading)
        .background(Color(uiColor: .secondarySystemBackground))
    }
}

private struct ItemView: View {
    let item: ConversationItem
    let send: Send

    var body: some View {
        switch item {
        case let .day(_, label):
            Text(label)
                .font(.caption.weight(.medium))
                .foregroundStyle(Color.secondary)
                .padding(.horizontal, 12)
                .padding(.vertical, 4)
                .background(Capsule().fill(Color(uiColor: .secondarySystemBackground)))
                .padding(.vertical, 6)
                .accessibilityAddTraits(.isHeader)
        case let .message(_, outgoing, text, time, delivery, deliveryLabel, attachment):
            Bubble(
                outgoing: outgoing, text: text, time: time, delivery: delivery, deliveryLabel: deliveryLabel,
                attachment: attachment, send: send
            )
        }
    }
}

/// A message: theirs on the left, ours on the right in the accent colour with ticks.
private struct Bubble: View {
    let outgoing: Bool
    let text: String
    let time: String
    let delivery: Delivery
    let deliveryLabel: String
    let attachment: AttachmentView?
    let send: Send

    var body: some View {
        HStack {
            if outgoing {
                Spacer(minLength: 48)
            }
            VStack(alignment: .trailing, spacing: 2) {
                if let attachment {
                    AttachmentPart(attachment: attachment, send: send)
                }
                if !text.isEmpty {
                    Text(text)
                        .textSelection(.enabled)
                }
                HStack(spacing: 4) {
                    Text(time)
                        .font(.caption2)
                    Ticks(delivery: delivery, label: deliveryLabel)
                }
                .opacity(0.75)
            }
            .padding(.horizontal, 12)
            .padding(.vertical, 8)
            .foregroundStyle(outgoing ? Color.white : Color.primary)
            .background(
                RoundedRectangle(cornerRadius: 18, style: .continuous)
                    .fill(outgoing ? Color.accentColor : Color(uiColor: .secondarySystemBackground))
            )
            if !outgoing {
                Spacer(minLength: 48)
            }
        }
        .accessibilityElement(children: attachment == nil ? .combine : .contain)
    }
}

/// Queued: a clock; sent: a tick; delivered: a tick in a circle; read: filled.
private struct Ticks: View {
    let delivery: Delivery
    let label: String

    var body: some View {
        if let symbol {
            Image(systemName: symbol)
                .font(.caption2)
                .accessibilityLabel(label)
        }
    }

    private var symbol: String? {
        switch delivery {
        case .queued:
            return "clock"
        case .sent:
            return "checkmark"
        case .delivered:
            return "checkmark.circle"
        case .read:
            return "checkmark.circle.fill"
        case .incoming:
            return nil
        }
    }
}

private struct Composer: View {
    let view: ConversationView
    let send: Send
    @State private var draft = ""

    var body: some View {
        VStack(spacing: 8) {
            if let picked = view.picked {
                // While a file waits for Send, the panel is the composer.
                PickedPanel(picked: picked, send: send)
            } else {
                bar
            }
        }
        .padding(.vertical, 8)
        .background(.bar)
    }

    private var bar: some View {
        HStack(alignment: .bottom, spacing: 8) {
            if view.canAttach {
                AttachButton(send: send)
                    .padding(.bottom, 6)
            }
            TextField(view.composerHint, text: $draft, axis: .vertical)
                .lineLimit(1...5)
                .padding(.horizontal, 14)
                .padding(.vertical, 8)
                .background(
                    RoundedRectangle(cornerRadius: 20, style: .continuous)
                        .fill(Color(uiColor: .secondarySystemBackground))
                )
                .disabled(!view.canSend)
            Button {
                let text = draft
                draft = ""
                send(.send(text: text))
            } label: {
                Image(systemName: "arrow.up.circle.fill")
                    .font(.system(size: 32))
            }
            .accessibilityLabel(Shell.send)
            .disabled(!view.canSend || draft.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        }
        .padding(.horizontal, 12)
    }
}
