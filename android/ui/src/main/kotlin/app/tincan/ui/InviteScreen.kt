package app.tincan.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ColumnScope
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.Spacer
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.layout.width
import androidx.compose.foundation.selection.selectable
import androidx.compose.foundation.selection.selectableGroup
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Warning
import androidx.compose.material3.Button
import androidx.compose.material3.ButtonDefaults
import androidx.compose.material3.Icon
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.RadioButton
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.unit.dp
import app.tincan.ffi.Action
import app.tincan.ffi.InviteStage
import app.tincan.ffi.InviteView
import app.tincan.ffi.ProtectionChoice
import app.tincan.ffi.ScanPurpose
import app.tincan.ffi.Source

/**
 * Making an invite: how it is protected, the question and its answer (with what that
 * answer protects against), then the code to share (QR, text, Share) and the ways to
 * load the reply.
 */
@Composable
fun InviteContent(
    view: InviteView,
    canGoBack: Boolean,
    onAction: (Action) -> Unit,
    onShare: (String) -> Unit,
    modifier: Modifier = Modifier,
) {
    val labels = LocalLabels.current
    ScreenScaffold(
        topBar = { TopBar(labels.inviteTitle, canGoBack, onBack = { onAction(Action.Back) }) },
    ) { padding ->
        ScrollingBody(padding, modifier.testTag("invite-screen")) {
            when (view.stage) {
                InviteStage.CHOOSE -> ChooseProtection(view, onAction)
                InviteStage.CREATING, InviteStage.CONNECTING, InviteStage.CONNECTED -> Working(view.instructions)
                InviteStage.WAITING_FOR_REPLY -> WaitingForReply(view, onAction, onShare)
            }
        }
    }
}

@Composable
private fun ColumnScope.ChooseProtection(view: InviteView, onAction: (Action) -> Unit) {
    val labels = LocalLabels.current
    // The fields are the person's: kept here while typing, each change told to the core.
    var question by rememberSaveable { mutableStateOf(view.question) }
    var answer by rememberSaveable { mutableStateOf(view.answer) }
    val needsQuestion = view.protection != ProtectionChoice.IN_PERSON

    SectionLabel(labels.protection)
    Column(Modifier.selectableGroup()) {
        for ((choice, label) in listOf(
            ProtectionChoice.QUESTION to labels.protectionQuestion,
            ProtectionChoice.IN_PERSON to labels.protectionInPerson,
            ProtectionChoice.PRIVATE to labels.protectionPrivate,
        )) {
            val selected = view.protection == choice
            Row(
                Modifier
                    .fillMaxWidth()
                    .heightIn(min = 48.dp)
                    .selectable(
                        selected = selected,
                        role = Role.RadioButton,
                        onClick = { onAction(Action.ChooseProtection(choice)) },
                    ),
                verticalAlignment = Alignment.CenterVertically,
            ) {
                RadioButton(selected = selected, onClick = null)
                Spacer(Modifier.width(12.dp))
                Text(label, style = MaterialTheme.typography.bodyLarge)
            }
        }
    }
    Text(
        view.protectionHelp,
        style = MaterialTheme.typography.bodyMedium,
        color = MaterialTheme.colorScheme.onSurfaceVariant,
    )
    if (needsQuestion) {
        OutlinedTextField(
            value = question,
            onValueChange = {
                question = it
                onAction(Action.EditInvite(question, answer))
            },
            label = { Text(labels.question) },
            modifier = Modifier.fillMaxWidth().testTag("invite-question"),
        )
        OutlinedTextField(
            value = answer,
            onValueChange = {
                answer = it
                onAction(Action.EditInvite(question, answer))
            },
            label = { Text(labels.answer) },
            modifier = Modifier.fillMaxWidth().testTag("invite-answer"),
        )
    }
    if (view.strength.isNotEmpty()) Strength(view.strength, view.strengthWarning)
    view.error?.let { ErrorText(it) }
    Button(
        onClick = { onAction(Action.CreateInvite) },
        enabled = view.canCreate,
        modifier = Modifier.fillMaxWidth().heightIn(min = 48.dp),
    ) { Text(labels.createInvite) }
}

/** What the answer protects against; in the warning colour when it is too weak. */
@Composable
private fun Strength(text: String, warning: Boolean) {
    val scheme = MaterialTheme.colorScheme
    Surface(
        color = if (warning) scheme.errorContainer else scheme.surfaceContainerHigh,
        contentColor = if (warning) scheme.onErrorContainer else scheme.onSurfaceVariant,
        shape = RoundedCornerShape(12.dp),
        modifier = Modifier.fillMaxWidth().testTag("invite-strength"),
    ) {
        Row(Modifier.padding(12.dp), verticalAlignment = Alignment.Top) {
            Icon(
                if (warning) Icons.Filled.Warning else TincanIcons.Shield,
                contentDescription = if (warning) LocalLabels.current.warning else null,
                tint = if (warning) scheme.error else scheme.primary,
                modifier = Modifier.size(20.dp),
            )
            Spacer(Modifier.width(12.dp))
            Text(text, style = MaterialTheme.typography.bodyMedium)
        }
    }
}

@Composable
private fun ColumnScope.WaitingForReply(view: InviteView, onAction: (Action) -> Unit, onShare: (String) -> Unit) {
    val labels = LocalLabels.current
    var pasting by remember { mutableStateOf(false) }
    Text(view.instructions, style = MaterialTheme.typography.bodyLarge)
    QrCode(view.qrPayload, Modifier.align(Alignment.CenterHorizontally))
    if (view.expires.isNotEmpty()) {
        Text(
            view.expires,
            style = MaterialTheme.typography.labelLarge,
            color = MaterialTheme.colorScheme.onSurfaceVariant,
            modifier = Modifier.align(Alignment.CenterHorizontally),
        )
    }
    if (view.code.isNotEmpty()) ShareRow(view.shareText, onShare)
    // What comes next: the reply, pasted or scanned.
    OutlinedButton(onClick = { pasting = !pasting }, modifier = Modifier.fillMaxWidth().heightIn(min = 48.dp)) {
        Icon(TincanIcons.ContentPaste, contentDescription = null, modifier = Modifier.size(18.dp))
        Spacer(Modifier.width(8.dp))
        Text(labels.pasteReply)
    }
    OutlinedButton(
        onClick = { onAction(Action.OpenScanner(ScanPurpose.ANY_CODE)) },
        modifier = Modifier.fillMaxWidth().heightIn(min = 48.dp),
    ) {
        Icon(TincanIcons.QrScanner, contentDescription = null, modifier = Modifier.size(18.dp))
        Spacer(Modifier.width(8.dp))
        Text(labels.scanReply)
    }
    if (pasting) {
        PastePanel(
            onOpen = {
                pasting = false
                onAction(Action.Received(it, Source.PASTE))
            },
            onClose = { pasting = false },
        )
    }
    if (view.code.isNotEmpty()) CodeBlock(labels.inviteCode, view.code, tag = "invite-code")
    if (view.inviteId.isNotEmpty()) {
        TextButton(
            onClick = { onAction(Action.CancelInvite(view.inviteId)) },
            colors = ButtonDefaults.textButtonColors(contentColor = MaterialTheme.colorScheme.error),
            modifier = Modifier.align(Alignment.CenterHorizontally),
        ) { Text(labels.cancelInvite) }
    }
}
