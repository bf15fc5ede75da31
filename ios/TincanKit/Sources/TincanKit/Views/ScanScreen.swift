import AVFoundation
import SwiftUI
import UIKit

/// The camera reading a code: its frames go to the core (`AppModel.scanFrame`), which
/// closes this screen itself once it has read one. Under a viewfinder, the core's hint;
/// a picture of the code (a screenshot) can be picked instead.
struct ScanScreen: View {
    let view: ScanView
    let send: Send
    let scanFrame: FrameSink
    @State private var access: CameraAccess = .unknown
    @Environment(\.openURL) private var openURL

    var body: some View {
        ZStack {
            Color.black
                .ignoresSafeArea()
            switch access {
            case .unknown:
                ProgressView()
                    .tint(Color.white)
            case .allowed:
                CameraPreview(scanFrame: scanFrame)
                    .ignoresSafeArea()
                    .accessibilityLabel(Shell.cameraPreview)
                RoundedRectangle(cornerRadius: 24, style: .continuous)
                    .strokeBorder(Color.white.opacity(0.9), lineWidth: 3)
                    .frame(width: 260, height: 260)
                    .accessibilityHidden(true)
            case .denied:
                VStack(spacing: 16) {
                    Text(Shell.cameraDenied)
                        .multilineTextAlignment(.center)
                    Button(Shell.openSettings) {
                        if let url = URL(string: UIApplication.openSettingsURLString) {
                            openURL(url)
                        }
                    }
                    .buttonStyle(.borderedProminent)
                }
                .foregroundStyle(Color.white)
                .padding(32)
            }
            VStack {
                Spacer()
                Text(view.hint)
                    .multilineTextAlignment(.center)
                    .foregroundStyle(Color.white)
                    .padding()
                    .frame(maxWidth: .infinity)
                    .background(Color.black.opacity(0.6), in: RoundedRectangle(cornerRadius: 16, style: .continuous))
                    .padding()
            }
        }
        .navigationTitle(view.purpose == .safetyNumber ? Shell.scanSafetyTitle : Shell.scanTitle)
        .navigationBarTitleDisplayMode(.inline)
        .toolbarBackground(.visible, for: .navigationBar)
        .toolbar {
            ToolbarItem(placement: .navigationBarTrailing) {
                PictureButton(send: send)
            }
        }
        .task {
            access = await CameraAccess.ask()
        }
    }
}

/// Whether the app may use the camera (asked the first time; the words for the
/// question are NSCameraUsageDescription in Info.plist).
enum CameraAccess {
    case unknown, allowed, denied

    static func ask() async -> CameraAccess {
        switch AVCaptureDevice.authorizationStatus(for: .video) {
        case .authorized:
            return .allowed
        case .notDetermined:
            return await AVCaptureDevice.requestAccess(for: .video) ? .allowed : .denied
        default:
            return .denied
        }
    }
}

/// The back camera's picture, full-bleed; each frame's luma plane to `scanFrame`.
private struct CameraPreview: UIViewRepresentable {
    let scanFrame: FrameSink

    func makeCoordinator() -> QrScanner {
        QrScanner(scanFrame: scanFrame)
    }

    func makeUIView(context: Context) -> PreviewView {
        let preview = PreviewView()
        preview.previewLayer.session = context.coordinator.session
        preview.previewLayer.videoGravity = .resizeAspectFill
        context.coordinator.start()
        return preview
    }

    func updateUIView(_ uiView: PreviewView, context: Context) {}

    static func dismantleUIView(_ uiView: PreviewView, coordinator: QrScanner) {
        coordinator.stop()
    }
}

/// A view whose layer is the camera preview, turned with the interface.
private final class PreviewView: UIView {
    override class var layerClass: AnyClass {
        AVCaptureVideoPreviewLayer.self
    }

    var previewLayer: AVCaptureVideoPreviewLayer {
        // layerClass above makes this the layer's class.
        layer as! AVCaptureVideoPreviewLayer
    }

    override func layoutSubviews() {
        super.layoutSubviews()
        guard let connection = previewLayer.connection, connection.isVideoOrientationSupported,
              let orientation = window?.windowScene?.interfaceOrientation
        else { return }
        switch orientation {
        case .landscapeLeft:
            connection.videoOrientation = .landscapeLeft
        case .landscapeRight:
            connection.videoOrientation = .landscapeRight
        case .portraitUpsideDown:
            connection.videoOrientation = .portraitUpsideDown
        default:
            connection.videoOrientation = .portrait
        }
    }
}

/// Runs the capture session and hands each frame's luma plane to the core until it
/// reads a code. Frames arrive in 4:2:0 bi-planar full range, whose plane 0 is the
/// luminance, one byte per pixel with `bytesPerRow` per row — what the core reads. A
/// frame that comes while the last is still being decoded is dropped.
private final class QrScanner: NSObject, AVCaptureVideoDataOutputSampleBufferDelegate {
    let session = AVCaptureSession()
    private let scanFrame: FrameSink
    private let sessionQueue = DispatchQueue(label: "app.tincan.camera")
    private let frameQueue = DispatchQueue(label: "app.tincan.camera.frames")
    /// Only touched on `frameQueue`.
    private var done = false

    init(scanFrame: @escaping FrameSink) {
        self.scanFrame = scanFrame
    }

    func start() {
        sessionQueue.async { [self] in
            if session.inputs.isEmpty {
                configure()
            }
            session.startRunning()
        }
    }

    func stop() {
        sessionQueue.async { [session] in
            session.stopRunning()
        }
    }

    private func configure() {
        session.beginConfiguration()
        defer { session.commitConfiguration() }
        if session.canSetSessionPreset(.hd1280x720) {
            session.sessionPreset = .hd1280x720
        }
        guard let camera = AVCaptureDevice.default(.builtInWideAngleCamera, for: .video, position: .back),
              let input = try? AVCaptureDeviceInput(device: camera),
              session.canAddInput(input)
        else { return }
        session.addInput(input)
        let output = AVCaptureVideoDataOutput()
        output.videoSettings = [
            kCVPixelBufferPixelFormatTypeKey as String: kCVPixelFormatType_420YpCbCr8BiPlanarFullRange,
        ]
        output.alwaysDiscardsLateVideoFrames = true
        output.setSampleBufferDelegate(self, queue: frameQueue)
        guard session.canAddOutput(output) else { return }
        session.addOutput(output)
    }

    func captureOutput(
        _ output: AVCaptureOutput,
        didOutput sampleBuffer: CMSampleBuffer,
        from connection: AVCaptureConnection
    ) {
        guard !done, let pixels = CMSampleBufferGetImageBuffer(sampleBuffer) else { return }
        CVPixelBufferLockBaseAddress(pixels, .readOnly)
        defer { CVPixelBufferUnlockBaseAddress(pixels, .readOnly) }
        guard CVPixelBufferGetPlaneCount(pixels) > 0,
              let base = CVPixelBufferGetBaseAddressOfPlane(pixels, 0)
        else { return }
        let width = CVPixelBufferGetWidthOfPlane(pixels, 0)
        let height = CVPixelBufferGetHeightOfPlane(pixels, 0)
        let rowStride = CVPixelBufferGetBytesPerRowOfPlane(pixels, 0)
        // No copy here: the plane stays locked until the core has read it (the call
        // below copies it into the core's buffer before it returns).
        let luma = Data(bytesNoCopy: base, count: rowStride * height, deallocator: .none)
        if scanFrame(UInt32(width), UInt32(height), UInt32(rowStride), luma) {
            done = true
            stop()
        }
    }
}
