import SwiftUI

/// A contact: verified or not, the safety number to compare (large, in groups of five)
/// and its QR code for the other phone to scan. A changed key comes first, in red,
/// with "Accept new key".
struct ContactScreen: View {
    let view: ContactView
    let send: Send

    var body: some View {
        ScrollView {
            VStack(alignment: .leading, spacing: 16) {
                if view.keyChanged {
                    KeyChanged(explanation: view.explanation) {
                        send(.acceptNewKey)
                    }
                } else {
                    Label(
                        view.verified ? Shell.verified : Shell.notVerified,
                        systemImage: view.verified ? "checkmark.seal.fill" : "shield"
                    )
                    .font(.subheadline.weight(.semibold))
                    .foregroundStyle(view.verified ? Color.accentColor : Color.secondary)
                    if !view.introducedBy.isEmpty {
                        // Who vouched for them, and that it is not proof.
                        Label(view.introducedBy, systemImage: "person.badge.plus")
                            .font(.subheadline)
                            .padding(12)
                            .frame(maxWidth: .infinity, alignment: .leading)
                            .background(
                                RoundedRectangle(cornerRadius: 12, style: .continuous)
                                    .fill(Color.secondary.opacity(0.12))
                            )
                    }
                    Text(view.explanation)
                }
                SectionHeading(text: Shell.safetyNumber)
                // Read out digit by digit, as people compare it.
                Text(view.safetyNumber)
                    .font(.system(.title2, design: .monospaced).weight(.medium))
                    .speechSpellsOutCharacters()
                    .multilineTextAlignment(.center)
                    .frame(maxWidth: .infinity)
                    .textSelection(.enabled)
                QrCodeView(payload: view.safetyQr, maxSide: 240)
                Button {
                    send(.openScanner(purpose: .safetyNumber))
                } label: {
                    Label(Shell.scanTheirCode, systemImage: "qrcode.viewfinder")
                        .frame(maxWidth: .infinity)
                }
                .buttonStyle(.bordered)
                .controlSize(.large)
                if !view.keyChanged {
                    if view.verified {
                        Button(Shell.markNotVerified) {
                            send(.setVerified(verified: false))
                        }
                        .frame(maxWidth: .infinity)
                    } else {
                        Button {
                            send(.setVerified(verified: true))
                        } label: {
                            Text(Shell.markVerified)
                                .frame(maxWidth: .infinity)
                        }
                        .buttonStyle(.borderedProminent)
                        .controlSize(.large)
                    }
                }
                if view.canIntroduce {
                    Button {
                        send(.startIntroduction)
                    } label: {
                        Label(Shell.introduceTo, systemImage: "person.badge.plus")
                            .frame(maxWidth: .infinity)
                    }
                    .buttonStyle(.bordered)
                    .controlSize(.large)
                }
                if !view.introductionsMade.isEmpty {
                    SectionHeading(text: Shell.introductionsMade)
                    ForEach(view.introductionsMade, id: \.self) { line in
                        Text(line)
                            .font(.subheadline)
                            .foregroundStyle(Color.secondary)
                    }
                }
            }
            .padding()
        }
        .navigationTitle(view.name)
        .navigationBarTitleDisplayMode(.inline)
    }
}

/// SECURITY: the contact's key changed. It stands out; accepting is a deliberate act.
private struct KeyChanged: View {
    let explanation: String
    let accept: () -> Void

    var body: some View {
        VStack(alignment: .leading, spacing: 12) {
            Label {
                Text(explanation)
            } icon: {
                Image(systemName: "exclamationmark.triangle.fill")
                    .foregroundStyle(Color.red)
                    .accessibilityLabel(Shell.warning)
            }
            Button(action: accept) {
                Text(Shell.acceptNewKey)
                    .frame(maxWidth: .infinity)
            }
            .buttonStyle(.borderedProminent)
            .tint(Color.red)
            .controlSize(.large)
        }
        .padding(16)
        .background(
            RoundedRectangle(cornerRadius: 16, style: .continuous)
                .fill(Color.red.opacity(0.12))
        )
    }
}
