import SwiftUI

/// The second line of a chat or room row: the last message and, when some are unread, a
/// badge with their count. One piece, so chats and rooms read the same way.
struct PreviewLine: View {
    let text: String
    let unread: UInt32
    var italic = false

    var body: some View {
        HStack(alignment: .top) {
            Text(text)
                .font(.subheadline)
                .italic(italic)
                .foregroundStyle(unread > 0 ? Color.primary : Color.secondary)
                .lineLimit(2)
            Spacer(minLength: 8)
            if unread > 0 {
                Text(String(unread))
                    .font(.caption.weight(.bold))
                    .foregroundStyle(Color.white)
                    .padding(.horizontal, 7)
                    .padding(.vertical, 2)
                    .background(Capsule().fill(Color.accentColor))
                    .accessibilityLabel(Shell.unread(Int(unread)))
            }
        }
    }
}
