import SwiftUI

/// "Introduce Ben to…": what happens (both are asked; the introducer passes on only
/// sealed details), then the other contacts; tapping one introduces them.
struct IntroduceScreen: View {
    let view: IntroduceView
    let send: Send

    var body: some View {
        List {
            Section {
                Text(view.explanation)
                    .listRowSeparator(.hidden)
                if view.candidates.isEmpty {
                    Text(view.empty)
                        .foregroundStyle(Color.secondary)
                        .listRowSeparator(.hidden)
                }
            }
            Section {
                ForEach(view.candidates, id: \.conversation) { candidate in
                    Button {
                        send(.introduceTo(conversation: candidate.conversation))
                    } label: {
                        CandidateRow(candidate: candidate)
                    }
                    .buttonStyle(.plain)
                }
            }
        }
        .listStyle(.plain)
        .navigationTitle(view.title)
        .navigationBarTitleDisplayMode(.inline)
    }
}

private struct CandidateRow: View {
    let candidate: IntroduceCandidate

    var body: some View {
        HStack(spacing: 12) {
            Text(String(candidate.name.prefix(1)).uppercased())
                .font(.title3.weight(.semibold))
                .frame(width: 44, height: 44)
                .background(Circle().fill(Color.accentColor.opacity(0.18)))
                .accessibilityHidden(true)
            VStack(alignment: .leading, spacing: 2) {
                HStack(spacing: 4) {
                    Text(candidate.name)
                        .font(.headline)
                    if candidate.verified {
                        Image(systemName: "checkmark.seal.fill")
                            .foregroundStyle(Color.accentColor)
                            .accessibilityLabel(Shell.verified)
                    }
                }
                Text(candidate.status)
                    .font(.subheadline)
                    .foregroundStyle(Color.secondary)
            }
            Spacer(minLength: 0)
        }
        .frame(minHeight: 44)
        .contentShape(Rectangle())
    }
}

/// An introduction made to the person, above the conversation list: "Ana introduces
/// Cleo", what accepting does, and Accept / Decline while it waits for them.
struct IntroductionCard: View {
    let row: IntroductionRow
    let send: Send

    var body: some View {
        VStack(alignment: .leading, spacing: 8) {
            Label(row.title, systemImage: row.stage == .needsAnswer ? "person.badge.plus" : "hourglass")
                .font(.headline)
            Text(row.detail)
                .font(.subheadline)
            if row.canAnswer {
                // Side by side when they fit; stacked at the largest text sizes.
                ViewThatFits(in: .horizontal) {
                    HStack(spacing: 8) {
                        Spacer(minLength: 0)
                        answerButtons
                    }
                    VStack(alignment: .trailing, spacing: 8) {
                        answerButtons
                    }
                    .frame(maxWidth: .infinity, alignment: .trailing)
                }
            }
        }
        .padding(16)
        .background(
            RoundedRectangle(cornerRadius: 16, style: .continuous)
                .fill(Color.orange.opacity(0.16))
        )
    }

    @ViewBuilder
    private var answerButtons: some View {
        Button(Shell.decline) {
            send(.declineIntroduction(id: row.id))
        }
        .buttonStyle(.bordered)
        Button(Shell.accept) {
            send(.acceptIntroduction(id: row.id))
        }
        .buttonStyle(.borderedProminent)
    }
}
