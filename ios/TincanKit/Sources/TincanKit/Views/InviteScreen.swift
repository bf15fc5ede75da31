import SwiftUI

/// Making an invite: how it is protected, the question and its answer (with what that
/// answer protects against), then the code to share and the ways to load the reply.
struct InviteScreen: View {
    let view: InviteView
    let send: Send

    var body: some View {
        Group {
            switch view.stage {
            case .choose:
                ChooseProtection(view: view, send: send)
            case .creating, .connecting, .connected:
                WorkingView(text: view.instructions)
            case .waitingForReply:
                WaitingForReply(view: view, send: send)
            }
        }
        .navigationTitle(Shell.inviteTitle)
        .navigationBarTitleDisplayMode(.inline)
    }
}

private struct ChooseProtection: View {
    let view: InviteView
    let send: Send
    // The fields are the person's: kept here while typing, each change told to the core.
    @State private var question: String
    @State private var answer: String

    init(view: InviteView, send: @escaping Send) {
        self.view = view
        self.send = send
        _question = State(initialValue: view.question)
        _answer = State(initialValue: view.answer)
    }

    var body: some View {
        Form {
            Section {
                Picker(Shell.protection, selection: protection) {
                    Text(Shell.protectionQuestion).tag(ProtectionChoice.question)
                    Text(Shell.protectionInPerson).tag(ProtectionChoice.inPerson)
                    Text(Shell.protectionPrivate).tag(ProtectionChoice.`private`)
                }
                .pickerStyle(.inline)
                .labelsHidden()
            } header: {
                Text(Shell.protection)
            } footer: {
                Text(view.protectionHelp)
            }
            if view.protection != .inPerson {
                Section {
                    TextField(Shell.question, text: $question, axis: .vertical)
                    TextField(Shell.answer, text: $answer)
                        .textInputAutocapitalization(.never)
                        .autocorrectionDisabled()
                } footer: {
                    if !view.strength.isEmpty {
                        Label {
                            Text(view.strength)
                        } icon: {
                            Image(systemName: view.strengthWarning ? "exclamationmark.triangle.fill" : "checkmark.shield")
                                .accessibilityLabel(Shell.warning)
                                .accessibilityHidden(!view.strengthWarning)
                        }
                        .foregroundStyle(view.strengthWarning ? Color.orange : Color.secondary)
                    }
                }
            }
            if let error = view.error {
                Section {
                    ErrorLine(text: error)
                }
            }
            Section {
                Button(Shell.createInvite) {
                    send(.createInvite)
                }
                .disabled(!view.canCreate)
            }
        }
        .onChange(of: question) { _ in
            send(.editInvite(question: question, answer: answer))
        }
        .onChange(of: answer) { _ in
            send(.editInvite(question: question, answer: answer))
        }
    }

    private var protection: Binding<ProtectionChoice> {
        Binding(
            get: { view.protection },
            set: { send(.chooseProtection(protection: $0)) }
        )
    }
}

/// The code made: its QR code, the share sheet, the code itself; then the reply comes
/// back by paste, camera or picture.
private struct WaitingForReply: View {
    let view: InviteView
    let send: Send
    @State private var confirmCancel = false

    var body: some View {
        ScrollView {
            VStack(alignment: .leading, spacing: 16) {
                Text(view.instructions)
                QrCodeView(payload: view.qrPayload)
                if !view.expires.isEmpty {
                    Text(view.expires)
                        .font(.footnote)
                        .foregroundStyle(Color.secondary)
                        .frame(maxWidth: .infinity)
                }
                if !view.code.isEmpty {
                    ShareButtons(shareText: view.shareText, qrPayload: view.qrPayload)
                    CodeBlock(title: Shell.inviteCode, code: view.code)
                }
                Divider()
                SectionHeading(text: Shell.theReply)
                LoadReplyButtons(send: send)
                if !view.inviteId.isEmpty {
                    Button(Shell.cancelInvite, role: .destructive) {
                        confirmCancel = true
                    }
                    .frame(maxWidth: .infinity)
                    .confirmationDialog(Shell.cancelInviteConfirm, isPresented: $confirmCancel, titleVisibility: .visible) {
                        Button(Shell.cancelInvite, role: .destructive) {
                            send(.cancelInvite(inviteId: view.inviteId))
                        }
                    }
                }
            }
            .padding()
        }
    }
}

/// Paste, scan or pick the reply; stacked when they do not fit in a row.
struct LoadReplyButtons: View {
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
    }

    @ViewBuilder
    private var buttons: some View {
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
