package app.tincan.ui

import androidx.compose.foundation.layout.ColumnScope
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp
import app.tincan.ffi.Action
import app.tincan.ffi.JoinStage
import app.tincan.ffi.JoinView

/**
 * Answering an invite: what was opened, the question, the answer field; then the reply
 * code to send back (QR, text, Share).
 */
@Composable
fun JoinContent(
    view: JoinView,
    canGoBack: Boolean,
    onAction: (Action) -> Unit,
    onShare: (String) -> Unit,
    modifier: Modifier = Modifier,
) {
    val labels = LocalLabels.current
    ScreenScaffold(
        topBar = { TopBar(labels.joinTitle, canGoBack, onBack = { onAction(Action.Back) }) },
    ) { padding ->
        ScrollingBody(padding, modifier.testTag("join-screen")) {
            if (view.opened.isNotEmpty()) {
                Text(
                    view.opened,
                    style = MaterialTheme.typography.labelLarge,
                    color = MaterialTheme.colorScheme.onSurfaceVariant,
                )
            }
            when (view.stage) {
                JoinStage.ANSWER -> Answer(view, onAction)
                JoinStage.WORKING, JoinStage.CONNECTED -> Working(view.instructions)
                JoinStage.SHOW_REPLY -> Reply(view, onShare)
            }
        }
    }
}

@Composable
private fun ColumnScope.Answer(view: JoinView, onAction: (Action) -> Unit) {
    val labels = LocalLabels.current
    var answer by rememberSaveable { mutableStateOf(view.answer) }
    if (view.question.isNotEmpty()) Question(view.question)
    if (view.instructions.isNotEmpty()) {
        Text(view.instructions, style = MaterialTheme.typography.bodyLarge)
    }
    OutlinedTextField(
        value = answer,
        onValueChange = {
            answer = it
            onAction(Action.EditJoinAnswer(it))
        },
        label = { Text(labels.yourAnswer) },
        isError = view.error != null,
        modifier = Modifier.fillMaxWidth().testTag("join-answer"),
    )
    view.error?.let { ErrorText(it, Modifier.testTag("join-error")) }
    Button(
        onClick = { onAction(Action.SubmitJoin) },
        enabled = view.canSubmit,
        modifier = Modifier.fillMaxWidth().heightIn(min = 48.dp),
    ) { Text(labels.submitAnswer) }
    if (view.expires.isNotEmpty()) {
        Text(
            view.expires,
            style = MaterialTheme.typography.labelLarge,
            color = MaterialTheme.colorScheme.onSurfaceVariant,
            modifier = Modifier.align(Alignment.CenterHorizontally),
        )
    }
}

/** The invite's question, large, as the inviter wrote it. */
@Composable
private fun Question(question: String) {
    Surface(
        color = MaterialTheme.colorScheme.secondaryContainer,
        contentColor = MaterialTheme.colorScheme.onSecondaryContainer,
        shape = RoundedCornerShape(16.dp),
        modifier = Modifier.fillMaxWidth(),
    ) {
        Text(
            question,
            style = MaterialTheme.typography.headlineSmall,
            modifier = Modifier.padding(20.dp).testTag("join-question"),
        )
    }
}

@Composable
private fun ColumnScope.Reply(view: JoinView, onShare: (String) -> Unit) {
    val labels = LocalLabels.current
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
    ShareRow(view.shareText, onShare)
    CodeBlock(labels.yourReply, view.replyCode, tag = "reply-code")
    view.error?.let { ErrorText(it) }
}
