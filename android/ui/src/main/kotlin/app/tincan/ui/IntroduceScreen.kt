package app.tincan.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.Spacer
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.layout.width
import androidx.compose.foundation.shape.CircleShape
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.material3.Button
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.Icon
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalDensity
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.text.style.TextOverflow
import androidx.compose.ui.unit.dp
import app.tincan.ffi.Action
import app.tincan.ffi.IntroduceCandidate
import app.tincan.ffi.IntroduceView
import app.tincan.ffi.IntroductionRow
import app.tincan.ffi.IntroductionStage

/**
 * "Introduce Ben to…": what happens (both are asked; the introducer passes on only
 * sealed details), then the other contacts; tapping one introduces them.
 */
@Composable
fun IntroduceContent(
    view: IntroduceView,
    canGoBack: Boolean,
    onAction: (Action) -> Unit,
    modifier: Modifier = Modifier,
) {
    ScreenScaffold(
        topBar = { TopBar(view.title, canGoBack, onBack = { onAction(Action.Back) }) },
    ) { padding ->
        ScrollingBody(padding, modifier.testTag("introduce-screen")) {
            Text(view.explanation, style = MaterialTheme.typography.bodyLarge)
            if (view.candidates.isEmpty()) {
                Text(
                    view.empty,
                    style = MaterialTheme.typography.bodyLarge,
                    color = MaterialTheme.colorScheme.onSurfaceVariant,
                    modifier = Modifier.testTag("introduce-empty"),
                )
            } else {
                Column(Modifier.fillMaxWidth()) {
                    view.candidates.forEachIndexed { i, candidate ->
                        CandidateRow(candidate, onClick = { onAction(Action.IntroduceTo(candidate.conversation)) })
                        if (i < view.candidates.lastIndex) HorizontalDivider(
                            Modifier.padding(start = 64.dp),
                            color = MaterialTheme.colorScheme.outlineVariant.copy(alpha = 0.5f),
                        )
                    }
                }
            }
        }
    }
}

@Composable
private fun CandidateRow(candidate: IntroduceCandidate, onClick: () -> Unit) {
    val labels = LocalLabels.current
    val scheme = MaterialTheme.colorScheme
    Row(
        Modifier
            .fillMaxWidth()
            .heightIn(min = 56.dp)
            .clickable(role = Role.Button, onClick = onClick)
            .padding(vertical = 8.dp)
            .testTag("candidate-${candidate.conversation}"),
        verticalAlignment = Alignment.CenterVertically,
    ) {
        Surface(shape = CircleShape, color = scheme.primaryContainer, modifier = Modifier.size(48.dp)) {
            Box(contentAlignment = Alignment.Center) {
                val size = with(LocalDensity.current) { 22.dp.toSp() }
                Text(
                    initial(candidate.name),
                    style = MaterialTheme.typography.titleLarge.copy(fontSize = size, lineHeight = size),
                    color = scheme.onPrimaryContainer,
                    maxLines = 1,
                )
            }
        }
        Spacer(Modifier.width(Gap))
        Column(Modifier.weight(1f)) {
            Row(verticalAlignment = Alignment.CenterVertically) {
                Text(
                    candidate.name,
                    style = MaterialTheme.typography.titleMedium,
                    maxLines = 2,
                    overflow = TextOverflow.Ellipsis,
                    modifier = Modifier.weight(1f, fill = false),
                )
                if (candidate.verified) {
                    Spacer(Modifier.width(4.dp))
                    Icon(
                        TincanIcons.VerifiedUser,
                        contentDescription = labels.verified,
                        tint = scheme.primary,
                        modifier = Modifier.size(16.dp),
                    )
                }
            }
            Text(
                candidate.status,
                style = MaterialTheme.typography.bodyMedium,
                color = scheme.onSurfaceVariant,
            )
        }
    }
}

/**
 * An introduction made to the person, above the conversation list: "Ana introduces
 * Cleo", what accepting does, and Accept / Decline while it waits for them.
 */
@OptIn(ExperimentalLayoutApi::class)
@Composable
internal fun IntroductionCard(row: IntroductionRow, onAction: (Action) -> Unit) {
    val labels = LocalLabels.current
    val scheme = MaterialTheme.colorScheme
    Surface(
        color = scheme.tertiaryContainer,
        contentColor = scheme.onTertiaryContainer,
        shape = RoundedCornerShape(16.dp),
        modifier = Modifier
            .fillMaxWidth()
            .padding(horizontal = 12.dp, vertical = 6.dp)
            .testTag("intro-${row.id}"),
    ) {
        Column(Modifier.padding(Gap), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            // The detail takes the card's whole width: at a large font an indented column
            // would make the card taller than the screen.
            Row(verticalAlignment = Alignment.CenterVertically) {
                Icon(
                    if (row.stage == IntroductionStage.NEEDS_ANSWER) TincanIcons.PersonAdd else TincanIcons.Hourglass,
                    contentDescription = null,
                    modifier = Modifier.size(24.dp),
                )
                Spacer(Modifier.width(12.dp))
                Text(row.title, style = MaterialTheme.typography.titleMedium, modifier = Modifier.weight(1f))
            }
            Text(row.detail, style = MaterialTheme.typography.bodyMedium)
            if (row.canAnswer) {
                // Side by side when they fit; at a large font Accept goes to its own line
                // rather than breaking its word.
                FlowRow(
                    Modifier.fillMaxWidth(),
                    horizontalArrangement = Arrangement.spacedBy(8.dp, Alignment.End),
                    verticalArrangement = Arrangement.spacedBy(8.dp),
                ) {
                    OutlinedButton(
                        onClick = { onAction(Action.DeclineIntroduction(row.id)) },
                        modifier = Modifier.heightIn(min = 48.dp).testTag("intro-decline-${row.id}"),
                    ) { Text(labels.decline) }
                    Button(
                        onClick = { onAction(Action.AcceptIntroduction(row.id)) },
                        modifier = Modifier.heightIn(min = 48.dp).testTag("intro-accept-${row.id}"),
                    ) { Text(labels.accept) }
                }
            }
        }
    }
}
