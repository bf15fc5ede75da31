import ImageIO
import PhotosUI
import QuickLook
import SwiftUI
import UIKit
import UniformTypeIdentifiers

/// A file or photo inside a message bubble: the preview (photos), the name and the
/// core's status line, a progress bar while bytes move, and the buttons the core allows
/// (Accept / Decline for a large offer, Decline while downloading, Open once received).
/// Open shows the file with Quick Look.
struct AttachmentPart: View {
    let attachment: AttachmentView
    let send: Send
    @State private var quickLook: URL?

    var body: some View {
        VStack(alignment: .leading, spacing: 8) {
            if let bytes = attachment.previewJpeg, let image = UIImage(data: bytes) {
                Image(uiImage: image)
                    .resizable()
                    .scaledToFill()
                    .frame(maxWidth: 260, maxHeight: 260)
                    .clipShape(RoundedRectangle(cornerRadius: 12, style: .continuous))
                    .accessibilityLabel(Shell.photo)
                    .onTapGesture {
                        if attachment.canOpen {
                            quickLook = URL(fileURLWithPath: attachment.path)
                        }
                    }
            }
            HStack(spacing: 10) {
                if attachment.previewJpeg == nil {
                    Image(systemName: attachment.isPhoto ? "photo" : "doc.fill")
                        .font(.title)
                        .accessibilityLabel(attachment.isPhoto ? Shell.photo : Shell.file)
                }
                VStack(alignment: .leading, spacing: 2) {
                    Text(attachment.name)
                        .font(.subheadline.weight(.semibold))
                        .lineLimit(2)
                    Text(attachment.status)
                        .font(.caption)
                        .foregroundStyle(attachment.state == .failed ? Color.red : Color.primary)
                }
            }
            if attachment.state == .transferring {
                ProgressView(value: Double(attachment.progressPercent), total: 100)
                    .accessibilityValue(attachment.status)
            }
            HStack(spacing: 8) {
                Spacer(minLength: 0)
                if attachment.canDecline {
                    Button(Shell.decline) {
                        send(.declineFile(id: attachment.id))
                    }
                }
                if attachment.canAccept {
                    Button(Shell.accept) {
                        send(.acceptFile(id: attachment.id))
                    }
                    .buttonStyle(.borderedProminent)
                }
                if attachment.canOpen {
                    Button(Shell.openFile) {
                        quickLook = URL(fileURLWithPath: attachment.path)
                    }
                    .buttonStyle(.bordered)
                }
            }
        }
        .quickLookPreview($quickLook)
    }
}

/// The picked file above the composer: name and size, for a photo the core's note on
/// location and camera details with the switch to keep them, and Send.
struct PickedPanel: View {
    let picked: PickedFileView
    let send: Send

    var body: some View {
        VStack(alignment: .leading, spacing: 8) {
            HStack(spacing: 10) {
                Image(systemName: picked.isPhoto ? "photo" : "doc.fill")
                VStack(alignment: .leading, spacing: 2) {
                    Text(picked.name)
                        .font(.subheadline.weight(.semibold))
                        .lineLimit(1)
                    Text(picked.sizeText)
                        .font(.caption)
                }
                Spacer(minLength: 0)
                Button {
                    send(.cancelPicked)
                } label: {
                    Image(systemName: "xmark.circle.fill")
                }
                .accessibilityLabel(Shell.cancel)
            }
            if picked.isPhoto {
                Text(picked.metadataNote)
                    .font(.footnote)
                Toggle(
                    picked.keepMetadataLabel,
                    isOn: Binding(
                        get: { picked.keepMetadata },
                        set: { send(.keepMetadata(keep: $0)) }
                    )
                )
                .font(.subheadline)
            }
            HStack {
                Spacer(minLength: 0)
                Button(picked.sendLabel) {
                    send(.sendPicked)
                }
                .buttonStyle(.borderedProminent)
            }
        }
        .padding(12)
        .background(
            RoundedRectangle(cornerRadius: 16, style: .continuous)
                .fill(Color(uiColor: .secondarySystemBackground))
        )
        .padding(.horizontal, 12)
    }
}

/// The attach button: a photo from the library (PhotosPicker) or any file (the Files
/// app). What was picked is copied into the app's caches directory first — a picker's
/// item does not stay readable — and that copy goes to `pickFile`.
struct AttachButton: View {
    let send: Send
    @State private var photo: PhotosPickerItem?
    @State private var choosePhoto = false
    @State private var chooseFile = false

    var body: some View {
        Menu {
            Button {
                choosePhoto = true
            } label: {
                Label(Shell.photo, systemImage: "photo")
            }
            Button {
                chooseFile = true
            } label: {
                Label(Shell.file, systemImage: "doc")
            }
        } label: {
            Image(systemName: "paperclip")
                .font(.system(size: 22))
        }
        .accessibilityLabel(Shell.attach)
        .photosPicker(isPresented: $choosePhoto, selection: $photo, matching: .images)
        .fileImporter(isPresented: $chooseFile, allowedContentTypes: [.item]) { result in
            guard case let .success(url) = result else { return }
            let scoped = url.startAccessingSecurityScopedResource()
            defer {
                if scoped { url.stopAccessingSecurityScopedResource() }
            }
            if let copy = try? PickedCopy.copy(from: url) {
                send(.pickFile(path: copy.path))
            }
        }
        .onChange(of: photo) { item in
            guard let item else { return }
            photo = nil
            Task {
                // The original bytes with their metadata (the core strips it unless the
                // person keeps it). HEIC, which the core can neither preview nor strip,
                // becomes a JPEG that keeps the metadata, as iOS does when sharing.
                guard let data = try? await item.loadTransferable(type: Data.self) else { return }
                let (bytes, ext): (Data, String) = {
                    let type = item.supportedContentTypes.first
                    if type?.conforms(to: .heic) == true || type?.conforms(to: .heif) == true,
                       let jpeg = PickedCopy.jpegKeepingMetadata(data) {
                        return (jpeg, "jpg")
                    }
                    return (data, type?.preferredFilenameExtension ?? "jpg")
                }()
                if let copy = try? PickedCopy.write(bytes, name: "Photo.\(ext)") {
                    send(.pickFile(path: copy.path))
                }
            }
        }
    }
}

/// Copies of picked items in Caches/picked/<uuid>/<name>: the name is what the other
/// person sees, the folder keeps two picks of the same name apart.
enum PickedCopy {
    static func folder() throws -> URL {
        let caches = try FileManager.default.url(
            for: .cachesDirectory, in: .userDomainMask, appropriateFor: nil, create: true
        )
        let dir = caches.appendingPathComponent("picked", isDirectory: true)
            .appendingPathComponent(UUID().uuidString, isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func copy(from url: URL) throws -> URL {
        let target = try folder().appendingPathComponent(url.lastPathComponent)
        try FileManager.default.copyItem(at: url, to: target)
        return target
    }

    /// A picture re-encoded as JPEG (quality 0.9) with its metadata copied along.
    static func jpegKeepingMetadata(_ data: Data) -> Data? {
        guard let source = CGImageSourceCreateWithData(data as CFData, nil) else { return nil }
        let out = NSMutableData()
        guard let destination = CGImageDestinationCreateWithData(
            out, UTType.jpeg.identifier as CFString, 1, nil
        ) else { return nil }
        let options = [kCGImageDestinationLossyCompressionQuality: 0.9] as CFDictionary
        CGImageDestinationAddImageFromSource(destination, source, 0, options)
        guard CGImageDestinationFinalize(destination) else { return nil }
        return out as Data
    }

    static func write(_ data: Data, name: String) throws -> URL {
        let target = try folder().appendingPathComponent(name)
        try data.write(to: target)
        return target
    }
}
