package app.tincan.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.Spacer
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.width
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.automirrored.filled.KeyboardArrowRight
import androidx.compose.material3.Button
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.Icon
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import app.tincan.ffi.Action
import app.tincan.ffi.SettingsView

/**
 * The person's settings: their name, STUN servers (with what they mean), invite lifetime;
 * and the way to relaying and holding letters for contacts.
 */
@Composable
fun SettingsContent(
    view: SettingsView,
    canGoBack: Boolean,
    onAction: (Action) -> Unit,
    modifier: Modifier = Modifier,
) {
    val labels = LocalLabels.current
    var name by rememberSaveable { mutableStateOf(view.displayName) }
    var stun by rememberSaveable { mutableStateOf(view.stunServers) }
    var hours by rememberSaveable { mutableStateOf(view.inviteLifetimeHours.toString()) }
    ScreenScaffold(
        topBar = { TopBar(labels.settingsTitle, canGoBack, onBack = { onAction(Action.Back) }) },
    ) { padding ->
        ScrollingBody(padding, modifier.testTag("settings-screen")) {
            OutlinedTextField(
                value = name,
                onValueChange = { name = it },
                label = { Text(labels.displayName) },
                singleLine = true,
                modifier = Modifier.fillMaxWidth().testTag("settings-name"),
            )
            OutlinedTextField(
                value = stun,
                onValueChange = { stun = it },
                label = { Text(labels.stunServers) },
                placeholder = { Text(labels.stunServersPlaceholder) },
                minLines = 3,
                textStyle = MonoStyle,
                modifier = Modifier.fillMaxWidth().testTag("settings-stun"),
            )
            Text(
                view.stunHelp,
                style = MaterialTheme.typography.bodyMedium,
                color = MaterialTheme.colorScheme.onSurfaceVariant,
            )
            OutlinedTextField(
                value = hours,
                onValueChange = { hours = it.filter(Char::isDigit).take(4) },
                label = { Text(labels.inviteLifetime) },
                singleLine = true,
                keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Number),
                modifier = Modifier.fillMaxWidth().testTag("settings-hours"),
            )
            view.error?.let { ErrorText(it, Modifier.testTag("settings-error")) }
            Button(
                onClick = {
                    // Not a number (or empty) goes as 0: the core says what is allowed.
                    onAction(Action.SaveSettings(name, stun, hours.toUIntOrNull() ?: 0u))
                },
                modifier = Modifier.fillMaxWidth().heightIn(min = 48.dp),
            ) { Text(labels.save) }
            HorizontalDivider(color = MaterialTheme.colorScheme.outlineVariant.copy(alpha = 0.5f))
            // Relaying and holding letters for contacts: a screen of its own.
            Row(
                Modifier
                    .fillMaxWidth()
                    .heightIn(min = 56.dp)
                    .clickable(role = Role.Button) { onAction(Action.OpenNetwork) }
                    .testTag("open-network"),
                verticalAlignment = Alignment.CenterVertically,
            ) {
                Icon(TincanIcons.Sync, contentDescription = null, tint = MaterialTheme.colorScheme.primary)
                Spacer(Modifier.width(Gap))
                Text(labels.network, style = MaterialTheme.typography.titleMedium, modifier = Modifier.weight(1f))
                Icon(Icons.AutoMirrored.Filled.KeyboardArrowRight, contentDescription = null)
            }
        }
    }
}
