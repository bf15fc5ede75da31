package app.tincan.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.Spacer
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.layout.width
import androidx.compose.foundation.selection.toggleable
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.Icon
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Surface
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.unit.dp
import app.tincan.ffi.Action
import app.tincan.ffi.NetworkView

/**
 * Relaying and holding (from the settings): the switch to hold sealed letters for
 * contacts who are offline, what it means, what is held now; then what this phone
 * passed on lately between two of its contacts.
 */
@Composable
fun NetworkContent(
    view: NetworkView,
    canGoBack: Boolean,
    onAction: (Action) -> Unit,
    modifier: Modifier = Modifier,
) {
    val labels = LocalLabels.current
    val scheme = MaterialTheme.colorScheme
    ScreenScaffold(
        topBar = { TopBar(labels.network, canGoBack, onBack = { onAction(Action.Back) }) },
    ) { padding ->
        ScrollingBody(padding, modifier.testTag("network-screen")) {
            Row(
                Modifier
                    .fillMaxWidth()
                    .heightIn(min = 56.dp)
                    .toggleable(
                        value = view.holding,
                        role = Role.Switch,
                        onValueChange = { onAction(Action.SetHolding(it)) },
                    )
                    .testTag("holding-switch"),
                verticalAlignment = Alignment.CenterVertically,
            ) {
                Text(
                    view.holdingLabel,
                    style = MaterialTheme.typography.titleMedium,
                    modifier = Modifier.weight(1f),
                )
                Spacer(Modifier.width(12.dp))
                Switch(checked = view.holding, onCheckedChange = null)
            }
            Text(view.holdingHelp, style = MaterialTheme.typography.bodyMedium, color = scheme.onSurfaceVariant)
            Surface(
                color = if (view.heldCount > 0u) scheme.secondaryContainer else scheme.surfaceContainerHigh,
                contentColor = if (view.heldCount > 0u) scheme.onSecondaryContainer else scheme.onSurfaceVariant,
                shape = RoundedCornerShape(12.dp),
                modifier = Modifier.fillMaxWidth(),
            ) {
                Row(Modifier.padding(12.dp), verticalAlignment = Alignment.Top) {
                    Icon(TincanIcons.Hourglass, contentDescription = null, modifier = Modifier.size(20.dp))
                    Spacer(Modifier.width(10.dp))
                    Text(
                        view.heldText,
                        style = MaterialTheme.typography.bodyMedium,
                        modifier = Modifier.weight(1f).testTag("held-text"),
                    )
                }
            }
            HorizontalDivider(color = scheme.outlineVariant.copy(alpha = 0.5f))
            SectionLabel(labels.passedOn)
            Text(view.relaysHelp, style = MaterialTheme.typography.bodyMedium, color = scheme.onSurfaceVariant)
            if (view.relays.isEmpty()) {
                Text(
                    view.relaysEmpty,
                    style = MaterialTheme.typography.bodyLarge,
                    color = scheme.onSurfaceVariant,
                    modifier = Modifier.testTag("relays-empty"),
                )
            } else {
                Column(verticalArrangement = Arrangement.spacedBy(0.dp)) {
                    view.relays.forEachIndexed { i, relay ->
                        Row(
                            Modifier.fillMaxWidth().heightIn(min = 40.dp).padding(vertical = 8.dp),
                            verticalAlignment = Alignment.CenterVertically,
                        ) {
                            Icon(
                                TincanIcons.Sync,
                                contentDescription = null,
                                tint = scheme.primary,
                                modifier = Modifier.size(18.dp),
                            )
                            Spacer(Modifier.width(12.dp))
                            Text(
                                relay.text,
                                style = MaterialTheme.typography.bodyLarge,
                                modifier = Modifier.weight(1f).testTag("relay"),
                            )
                        }
                        if (i < view.relays.lastIndex) HorizontalDivider(
                            Modifier.padding(start = 30.dp),
                            color = scheme.outlineVariant.copy(alpha = 0.5f),
                        )
                    }
                }
            }
        }
    }
}
