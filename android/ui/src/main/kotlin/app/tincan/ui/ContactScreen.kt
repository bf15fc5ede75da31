package app.tincan.ui

import androidx.compose.foundation.layout.Arrangement
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
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Warning
import androidx.compose.material3.Button
import androidx.compose.material3.ButtonDefaults
import androidx.compose.material3.Icon
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.dp
import androidx.compose.ui.unit.sp
import app.tincan.ffi.Action
import app.tincan.ffi.ContactView
import app.tincan.ffi.ScanPurpose

/**
 * A contact: whether they are verified, the safety number to compare (large, in groups)
 * and its QR code for the other phone to scan; a changed key comes first, in red, with
 * "Accept new key".
 */
@Composable
fun ContactContent(
    view: ContactView,
    canGoBack: Boolean,
    onAction: (Action) -> Unit,
    modifier: Modifier = Modifier,
) {
    val labels = LocalLabels.current
    ScreenScaffold(
        topBar = { TopBar(view.name, canGoBack, onBack = { onAction(Action.Back) }) },
    ) { padding ->
        ScrollingBody(padding, modifier.testTag("contact-screen")) {
            if (view.keyChanged) {
                KeyChanged(view.explanation)
            } else {
                VerifiedState(view.verified)
                if (view.introducedBy.isNotEmpty()) IntroducedBy(view.introducedBy)
                Text(view.explanation, style = MaterialTheme.typography.bodyLarge)
            }
            SectionLabel(labels.safetyNumber)
            SafetyNumber(view.safetyNumber)
            QrCode(view.safetyQr, Modifier.align(Alignment.CenterHorizontally), maxSize = 240.dp)
            OutlinedButton(
                onClick = { onAction(Action.OpenScanner(ScanPurpose.SAFETY_NUMBER)) },
                modifier = Modifier.fillMaxWidth().heightIn(min = 48.dp),
            ) {
                Icon(TincanIcons.QrScanner, contentDescription = null, modifier = Modifier.size(18.dp))
                Spacer(Modifier.width(8.dp))
                Text(labels.scanTheirCode)
            }
            if (view.keyChanged) {
                // Last, after the number to compare: accepting is a deliberate act.
                Button(
                    onClick = { onAction(Action.AcceptNewKey) },
                    colors = ButtonDefaults.buttonColors(
                        containerColor = MaterialTheme.colorScheme.error,
                        contentColor = MaterialTheme.colorScheme.onError,
                    ),
                    modifier = Modifier.fillMaxWidth().heightIn(min = 48.dp),
                ) { Text(labels.acceptNewKey) }
            } else {
                if (view.verified) {
                    TextButton(
                        onClick = { onAction(Action.SetVerified(false)) },
                        modifier = Modifier.align(Alignment.CenterHorizontally),
                    ) { Text(labels.markNotVerified) }
                } else {
                    Button(
                        onClick = { onAction(Action.SetVerified(true)) },
                        modifier = Modifier.fillMaxWidth().heightIn(min = 48.dp),
                    ) { Text(labels.markVerified) }
                }
            }
            if (view.canIntroduce) {
                OutlinedButton(
                    onClick = { onAction(Action.StartIntroduction) },
                    modifier = Modifier.fillMaxWidth().heightIn(min = 48.dp).testTag("introduce-to"),
                ) {
                    Icon(TincanIcons.PersonAdd, contentDescription = null, modifier = Modifier.size(18.dp))
                    Spacer(Modifier.width(8.dp))
                    Text(labels.introduceTo)
                }
            }
            if (view.introductionsMade.isNotEmpty()) {
                SectionLabel(labels.introductionsMade)
                for (line in view.introductionsMade) {
                    Text(
                        line,
                        style = MaterialTheme.typography.bodyMedium,
                        color = MaterialTheme.colorScheme.onSurfaceVariant,
                        modifier = Modifier.testTag("introduction-made"),
                    )
                }
            }
        }
    }
}

/** "Introduced by Ana · not verified — …": who vouched, and that it is not proof. */
@Composable
private fun IntroducedBy(text: String) {
    val scheme = MaterialTheme.colorScheme
    Surface(
        color = scheme.secondaryContainer,
        contentColor = scheme.onSecondaryContainer,
        shape = RoundedCornerShape(12.dp),
        modifier = Modifier.fillMaxWidth().testTag("introduced-by"),
    ) {
        Row(Modifier.padding(12.dp), verticalAlignment = Alignment.Top) {
            Icon(TincanIcons.PersonAdd, contentDescription = null, modifier = Modifier.size(20.dp))
            Spacer(Modifier.width(10.dp))
            Text(text, style = MaterialTheme.typography.bodyMedium, modifier = Modifier.weight(1f))
        }
    }
}

@Composable
private fun VerifiedState(verified: Boolean) {
    val labels = LocalLabels.current
    val scheme = MaterialTheme.colorScheme
    Surface(
        color = if (verified) scheme.primaryContainer else scheme.surfaceContainerHigh,
        contentColor = if (verified) scheme.onPrimaryContainer else scheme.onSurfaceVariant,
        shape = RoundedCornerShape(50),
    ) {
        Row(Modifier.padding(horizontal = 14.dp, vertical = 8.dp), verticalAlignment = Alignment.CenterVertically) {
            Icon(
                if (verified) TincanIcons.VerifiedUser else TincanIcons.Shield,
                contentDescription = null,
                tint = if (verified) scheme.primary else scheme.onSurfaceVariant,
                modifier = Modifier.size(20.dp),
            )
            Spacer(Modifier.width(8.dp))
            Text(
                if (verified) labels.verified else labels.notVerified,
                style = MaterialTheme.typography.labelLarge,
                modifier = Modifier.testTag("verified-state"),
            )
        }
    }
}

/** SECURITY: the contact's key changed. Stands out; accepting is a deliberate act. */
@Composable
private fun KeyChanged(explanation: String) {
    val labels = LocalLabels.current
    val scheme = MaterialTheme.colorScheme
    Surface(
        color = scheme.errorContainer,
        contentColor = scheme.onErrorContainer,
        shape = RoundedCornerShape(16.dp),
        modifier = Modifier.fillMaxWidth().testTag("key-changed"),
    ) {
        Column(
            Modifier.padding(Gap),
            verticalArrangement = Arrangement.spacedBy(12.dp),
        ) {
            Row(verticalAlignment = Alignment.Top) {
                Icon(
                    Icons.Filled.Warning,
                    contentDescription = labels.warning,
                    tint = scheme.error,
                    modifier = Modifier.size(28.dp),
                )
                Spacer(Modifier.width(12.dp))
                Text(explanation, style = MaterialTheme.typography.bodyLarge, modifier = Modifier.weight(1f))
            }
        }
    }
}

/** The safety number in its groups of five, large and monospace, wrapping as fits. */
@OptIn(ExperimentalLayoutApi::class)
@Composable
private fun SafetyNumber(number: String) {
    val groups = number.split(' ').filter { it.isNotEmpty() }
    FlowRow(
        Modifier.fillMaxWidth().semantics { contentDescription = number }.testTag("safety-number"),
        horizontalArrangement = Arrangement.spacedBy(16.dp, Alignment.CenterHorizontally),
        verticalArrangement = Arrangement.spacedBy(8.dp),
    ) {
        for (group in groups) {
            Text(
                group,
                style = MonoStyle.copy(fontSize = 24.sp, lineHeight = 30.sp, fontWeight = FontWeight.Medium),
                color = MaterialTheme.colorScheme.onSurface,
            )
        }
    }
}
