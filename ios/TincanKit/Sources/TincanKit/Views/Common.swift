import PhotosUI
import SwiftUI
import UIKit
import UniformTypeIdentifiers

/// The core's notice, under the navigation bar of every screen, until dismissed.
/// VoiceOver announces it when it appears.
struct NoticeBar: View {
    let notice: Notice
    let dismiss: () -> Void

    var body: some View {
        HStack(alignment: .firstTextBaseline, spacing: 12) {
            if notice.isError {
                Image(systemName: "exclamationmark.triangle.fill")
                    .foregroundStyle(Color.red)
                    .accessibilityLabel(Shell.warning)
            }
            Text(notice.text)
                .font(.subheadline)
                .frame(maxWidth: .infinity, alignment: .leading)
            Button(action: dismiss) {
                Image(systemName: "xmark.circle.fill")
                    .font(.title3)
                    .foregroundStyle(Color.secondary)
            }
            .accessibilityLabel(Shell.dismiss)
        }
        .padding(12)
        .background(
            RoundedRectangle(cornerRadius: 12, style: .continuous)
                .fill(notice.isError ? Color.red.opacity(0.15) : Color(uiColor: .secondarySystemBackground))
        )
        .padding(.horizontal, 12)
        .padding(.vertical, 6)
        .accessibilityElement(children: .contain)
    }
}

/// Something is being worked on: a spinner beside the core's words for it.
struct WorkingView: View {
    let text: String

    var body: some View {
        HStack(spacing: 16) {
            ProgressView()
                .accessibilityLabel(Shell.working)
            Text(text)
                .frame(maxWidth: .infinity, alignment: .leading)
        }
        .padding()
        .frame(maxHeight: .infinity, alignment: .top)
    }
}

/// A problem with the input, in red with a warning sign.
struct ErrorLine: View {
    let text: String

    var body: some View {
        Label {
            Text(text)
        } icon: {
            Image(systemName: "exclamationmark.triangle.fill")
                .accessibilityLabel(Shell.warning)
        }
        .font(.subheadline)
        .foregroundStyle(Color.red)
    }
}

/// A small heading above a block of a scrolling screen.
struct SectionHeading: View {
    let text: String

    var body: some View {
        Text(text)
            .font(.subheadline.weight(.semibold))
            .foregroundStyle(Color.secondary)
            .accessibilityAddTraits(.isHeader)
    }
}

/// A code to read, select or copy: monospaced, on a tinted panel.
struct CodeBlock: View {
    let title: String
    let code: String

    var body: some View {
        VStack(alignment: .leading, spacing: 6) {
            SectionHeading(text: title)
            Text(code)
                .font(.system(.footnote, design: .monospaced))
                .textSelection(.enabled)
                .padding(12)
                .frame(maxWidth: .infinity, alignment: .leading)
                .background(
                    RoundedRectangle(cornerRadius: 8, style: .continuous)
                        .fill(Color(uiColor: .secondarySystemBackground))
                )
        }
    }
}

/// The ways a code leaves the phone: the share sheet with the core's one line (what to
/// do, then the code), the QR code as a picture with that line, and Copy.
struct ShareButtons: View {
    let shareText: String
    let qrPayload: String

    var body: some View {
        // Drawn once here: the layouts below are both measured.
        let picture = QrPicture(payload: qrPayload)
        ViewThatFits(in: .horizontal) {
            HStack(spacing: 10) {
                buttons(picture)
            }
            VStack(alignment: .leading, spacing: 10) {
                buttons(picture)
            }
        }
    }

    @ViewBuilder
    private func buttons(_ picture: QrPicture?) -> some View {
        ShareLink(item: shareText) {
            Label(Shell.share, systemImage: "square.and.arrow.up")
        }
        .buttonStyle(.borderedProminent)
        if let picture {
            ShareLink(
                item: picture,
                subject: Text(Shell.appTitle),
                message: Text(shareText),
                preview: SharePreview(Shell.qrCode, image: picture.image)
            ) {
                Label(Shell.shareQr, systemImage: "qrcode")
            }
            .buttonStyle(.bordered)
        }
        CopyButton(text: shareText)
    }
}

/// Copies `text` to the clipboard, and says so until the text changes.
struct CopyButton: View {
    let text: String
    @State private var copied = false

    var body: some View {
        Button {
            UIPasteboard.general.string = text
            copied = true
        } label: {
            Label(copied ? Shell.copied : Shell.copy, systemImage: copied ? "checkmark" : "doc.on.doc")
        }
        .buttonStyle(.bordered)
        .onChange(of: text) { _ in
            copied = false
        }
    }
}

/// A QR code of `payload`, drawn module by module from the core's symbol: dark on
/// white in both appearances (cameras need the contrast), with the quiet zone, whole
/// points per module so no seams appear.
struct QrCodeView: View {
    let payload: String
    var maxSide: CGFloat = 280

    var body: some View {
        if !payload.isEmpty, let symbol = try? renderQr(text: payload, modulePx: 1) {
            let side = Int(symbol.size)
            let modules = [UInt8](symbol.modules)
            Canvas { context, size in
                let total = CGFloat(side + 2 * QrPicture.quietZone)
                let cell = max(1, floor(min(size.width, size.height) / total))
                let origin = CGPoint(
                    x: (size.width - cell * CGFloat(side)) / 2,
                    y: (size.height - cell * CGFloat(side)) / 2
                )
                context.fill(Path(CGRect(origin: .zero, size: size)), with: .color(.white))
                var dark = Path()
                for y in 0..<side {
                    for x in 0..<side where modules[y * side + x] != 0 {
                        dark.addRect(CGRect(
                            x: origin.x + CGFloat(x) * cell,
                            y: origin.y + CGFloat(y) * cell,
                            width: cell,
                            height: cell
                        ))
                    }
                }
                context.fill(dark, with: .color(.black))
            }
            .aspectRatio(1, contentMode: .fit)
            .frame(maxWidth: maxSide)
            .clipShape(RoundedRectangle(cornerRadius: 8, style: .continuous))
            .frame(maxWidth: .infinity)
            .accessibilityElement()
            .accessibilityLabel(Shell.qrCode)
            .accessibilityAddTraits(.isImage)
        }
    }
}

/// The QR code as a PNG to share (the core draws it, quiet zone included).
struct QrPicture: Transferable {
    /// Modules of light border the core adds around the symbol.
    static let quietZone = 4

    let png: Data
    let image: Image

    init?(payload: String) {
        guard !payload.isEmpty,
              let symbol = try? renderQr(text: payload, modulePx: 12),
              let picture = UIImage(data: symbol.png)
        else { return nil }
        png = symbol.png
        image = Image(uiImage: picture)
    }

    static var transferRepresentation: some TransferRepresentation {
        DataRepresentation(exportedContentType: .png) { picture in
            picture.png
        }
    }
}

/// "Picture": a screenshot or photo of a code, read by the core. Photos' own picker
/// runs outside the app, so no photo-library permission is needed.
struct PictureButton: View {
    let send: Send
    @State private var item: PhotosPickerItem?

    var body: some View {
        PhotosPicker(selection: $item, matching: .images) {
            Label(Shell.openPicture, systemImage: "photo")
        }
        .onChange(of: item) { picked in
            guard let picked else { return }
            item = nil
            Task {
                let bytes = await Self.codeImage(picked)
                send(.receivedImage(bytes: bytes))
            }
        }
    }

    /// The picture as the core reads it: PNG or JPEG as it is, anything else (a camera
    /// photo is usually HEIC) re-encoded as JPEG; at most `imageByteLimit() + 1` bytes,
    /// so the core can tell a picture that is too large; empty when it could not be
    /// read. The core says what went wrong in either case.
    private static func codeImage(_ item: PhotosPickerItem) async -> Data {
        guard let data = try? await item.loadTransferable(type: Data.self) else { return Data() }
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47]
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF]
        let readable = data.starts(with: png) || data.starts(with: jpeg)
            ? data
            : UIImage(data: data)?.jpegData(compressionQuality: 0.9) ?? Data()
        return readable.prefix(Int(imageByteLimit()) + 1)
    }
}

/// "Paste": the system's paste button (no "allow paste" prompt), its text to the core.
struct PasteCodeButton: View {
    let send: Send

    var body: some View {
        PasteButton(payloadType: String.self) { strings in
            let text = strings.joined(separator: "\n")
            guard !text.isEmpty else { return }
            send(.received(text: text, source: .paste))
        }
        .labelStyle(.titleAndIcon)
    }
}

extension Connection {
    /// The dot's colour: green flowing, orange trying, grey away, blue waiting.
    var color: Color {
        switch self {
        case .connected:
            return .green
        case .connecting, .reconnecting:
            return .orange
        case .offline, .ended:
            return .gray
        case .waiting:
            return .blue
        }
    }
}

/// A coloured dot for a connection state; decorative (its words are always shown).
struct ConnectionDot: View {
    let connection: Connection
    var size: CGFloat = 8

    var body: some View {
        Circle()
            .fill(connection.color)
            .frame(width: size, height: size)
            .accessibilityHidden(true)
    }
}
