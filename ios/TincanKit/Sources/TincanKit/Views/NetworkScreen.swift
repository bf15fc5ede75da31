import SwiftUI

/// Relaying and holding (from the settings): the switch to hold sealed letters for
/// contacts who are offline, what it means, what is held now; then what this phone
/// passed on lately between two of its contacts.
struct NetworkScreen: View {
    let view: NetworkView
    let send: Send

    var body: some View {
        Form {
            Section {
                Toggle(view.holdingLabel, isOn: holding)
                Label(view.heldText, systemImage: "hourglass")
                    .foregroundStyle(view.heldCount > 0 ? Color.primary : Color.secondary)
            } footer: {
                Text(view.holdingHelp)
            }
            Section {
                if view.relays.isEmpty {
                    Text(view.relaysEmpty)
                        .foregroundStyle(Color.secondary)
                }
                ForEach(Array(view.relays.enumerated()), id: \.offset) { _, relay in
                    Label(relay.text, systemImage: "arrow.triangle.2.circlepath")
                }
            } header: {
                Text(Shell.passedOn)
            } footer: {
                Text(view.relaysHelp)
            }
        }
        .navigationTitle(Shell.network)
        .navigationBarTitleDisplayMode(.inline)
    }

    /// The switch shows the core's state; flipping it asks the core.
    private var holding: Binding<Bool> {
        Binding(
            get: { view.holding },
            set: { send(.setHolding(on: $0)) }
        )
    }
}
