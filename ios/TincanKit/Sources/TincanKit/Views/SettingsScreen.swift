import SwiftUI

/// The person's settings: their name, STUN servers (with what they mean), how long
/// invites stay valid; the way to relaying and holding letters for contacts; and what
/// iOS allows in the background.
struct SettingsScreen: View {
    let view: SettingsView
    let send: Send
    @State private var name: String
    @State private var stun: String
    @State private var hours: String

    init(view: SettingsView, send: @escaping Send) {
        self.view = view
        self.send = send
        _name = State(initialValue: view.displayName)
        _stun = State(initialValue: view.stunServers)
        _hours = State(initialValue: String(view.inviteLifetimeHours))
    }

    var body: some View {
        Form {
            Section {
                TextField(Shell.displayName, text: $name)
                    .textContentType(.name)
            } header: {
                Text(Shell.displayName)
            }
            Section {
                TextEditor(text: $stun)
                    .font(.system(.body, design: .monospaced))
                    .textInputAutocapitalization(.never)
                    .autocorrectionDisabled()
                    .frame(minHeight: 88)
                    .accessibilityLabel(Shell.stunServers)
            } header: {
                Text(Shell.stunServers)
            } footer: {
                VStack(alignment: .leading, spacing: 4) {
                    Text(Shell.stunServersFormat)
                    Text(view.stunHelp)
                }
            }
            Section {
                TextField(Shell.inviteLifetime, text: $hours)
                    .keyboardType(.numberPad)
            } header: {
                Text(Shell.inviteLifetime)
            }
            if let error = view.error {
                Section {
                    ErrorLine(text: error)
                }
            }
            Section {
                Button(Shell.save) {
                    // Not a number (or empty) goes as 0: the core says what is allowed.
                    send(.saveSettings(displayName: name, stunServers: stun, inviteLifetimeHours: UInt32(hours) ?? 0))
                }
            }
            Section {
                // Relaying and holding letters for contacts: a screen of its own.
                Button {
                    send(.openNetwork)
                } label: {
                    HStack {
                        Label(Shell.network, systemImage: "arrow.triangle.2.circlepath")
                        Spacer(minLength: 8)
                        Image(systemName: "chevron.forward")
                            .font(.footnote.weight(.semibold))
                            .foregroundStyle(Color.secondary)
                            .accessibilityHidden(true)
                    }
                }
                .foregroundStyle(Color.primary)
            }
            Section {
                Text(Shell.backgroundNote)
                    .font(.footnote)
            } header: {
                Text(Shell.onThisIPhone)
            }
        }
        .navigationTitle(Shell.settingsTitle)
        .navigationBarTitleDisplayMode(.inline)
    }
}
