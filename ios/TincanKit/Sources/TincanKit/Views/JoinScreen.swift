import SwiftUI

/// Answering an invite: what was opened, the question, the answer field; then the
/// reply code to send back.
struct JoinScreen: View {
    let view: JoinView
    let send: Send

    var body: some View {
        Group {
            switch view.stage {
            case .answer:
                AnswerForm(view: view, send: send)
            case .working, .connected:
                WorkingView(text: view.instructions)
            case .showReply:
                Reply(view: view)
            }
        }
        .navigationTitle(Shell.joinTitle)
        .navigationBarTitleDisplayMode(.inline)
    }
}

private struct AnswerForm: View {
    let view: JoinView
    let send: Send
    @State private var answer: String

    init(view: JoinView, send: @escaping Send) {
        self.view = view
        self.send = send
        _answer = State(initialValue: view.answer)
    }

    var body: some View {
        Form {
            Section {
                if !view.question.isEmpty {
                    // The inviter's question, large, as they wrote it.
                    Text(view.question)
                        .font(.title2.weight(.semibold))
                        .padding(.vertical, 4)
                }
                if !view.instructions.isEmpty {
                    Text(view.instructions)
                }
            } header: {
                Text(view.opened)
            }
            Section {
                TextField(Shell.yourAnswer, text: $answer)
                    .textInputAutocapitalization(.never)
                    .autocorrectionDisabled()
                    .submitLabel(.go)
                    .onSubmit {
                        if view.canSubmit {
                            send(.submitJoin)
                        }
                    }
                if let error = view.error {
                    ErrorLine(text: error)
                }
            } footer: {
                Text(view.expires)
            }
            Section {
                Button(Shell.submitAnswer) {
                    send(.submitJoin)
                }
                .disabled(!view.canSubmit)
            }
        }
        .onChange(of: answer) { text in
            send(.editJoinAnswer(answer: text))
        }
    }
}

/// The reply made: send it back the same ways an invite goes out.
private struct Reply: View {
    let view: JoinView

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
                if view.shareText.isEmpty {
                    // A browser's answer: no share line, the code goes back as it is.
                    CopyButton(text: view.replyCode)
                } else {
                    ShareButtons(shareText: view.shareText, qrPayload: view.qrPayload)
                }
                CodeBlock(title: Shell.yourReply, code: view.replyCode)
                if let error = view.error {
                    ErrorLine(text: error)
                }
            }
            .padding()
        }
    }
}
