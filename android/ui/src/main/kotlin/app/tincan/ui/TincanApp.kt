package app.tincan.ui

import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.WindowInsets
import androidx.compose.foundation.layout.consumeWindowInsets
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.navigationBars
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Surface
import androidx.compose.runtime.Composable
import androidx.compose.runtime.key
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import app.tincan.ffi.Action
import app.tincan.ffi.AppView
import app.tincan.ffi.AttachmentView
import app.tincan.ffi.Screen

/**
 * The whole app for one [AppView]: the screen on top and the notice under it. Stateless:
 * what the person does goes to [onAction] (`AppState.dispatch`), a code to send to
 * [onShare] (the platform's share sheet), and the scan screen shows [cameraPreview].
 * The attach button calls [onPickFile] (the platform's picker; it copies the picked
 * item into the app's cache and dispatches `Action.PickFile`), Open on a received file
 * calls [onOpenFile] (the system viewer). Photo previews are decoded by
 * [LocalImageDecoder].
 *
 * Call it inside [TincanTheme] (and a `LocalLabels` provider for translated words). The
 * platform maps its back gesture to `Action.Back` while `view.canGoBack`, its lifecycle
 * to `Action.SetVisible`, and `view.alerts` to notifications.
 */
@Composable
fun TincanApp(
    view: AppView,
    onAction: (Action) -> Unit,
    onShare: (String) -> Unit,
    modifier: Modifier = Modifier,
    cameraPreview: @Composable () -> Unit = { Box(Modifier.fillMaxSize().background(Color.Black)) },
    onPickFile: (PickKind) -> Unit = {},
    onOpenFile: (AttachmentView) -> Unit = {},
) {
    Surface(modifier.fillMaxSize(), color = MaterialTheme.colorScheme.surface) {
        Column(Modifier.fillMaxSize()) {
            val notice = view.notice
            Box(
                Modifier
                    .weight(1f)
                    // The notice sits above the navigation bar: the screen need not.
                    .then(if (notice != null) Modifier.consumeWindowInsets(WindowInsets.navigationBars) else Modifier),
            ) {
                Screen(view, onAction, onShare, cameraPreview, onPickFile, onOpenFile)
            }
            if (notice != null) {
                NoticeBar(notice, onDismiss = { onAction(Action.DismissNotice) })
            }
        }
    }
}

@Composable
private fun Screen(
    view: AppView,
    onAction: (Action) -> Unit,
    onShare: (String) -> Unit,
    cameraPreview: @Composable () -> Unit,
    onPickFile: (PickKind) -> Unit,
    onOpenFile: (AttachmentView) -> Unit,
) {
    val back = view.canGoBack
    // Keyed by what is shown, so typed text never leaks from one flow into the next.
    when (val screen = view.screen) {
        Screen.Conversations -> key("list") {
            ConversationsContent(
                view.conversations, view.myName, onAction,
                introductions = view.introductions, rooms = view.rooms,
            )
        }
        is Screen.Invite -> key("invite", screen.view.inviteId) {
            InviteContent(screen.view, back, onAction, onShare)
        }
        is Screen.Join -> key("join", screen.view.conversation) {
            JoinContent(screen.view, back, onAction, onShare)
        }
        is Screen.Conversation -> key("conversation", screen.view.id) {
            ConversationContent(screen.view, back, onAction, onShare, onPickFile = onPickFile, onOpenFile = onOpenFile)
        }
        is Screen.Contact -> key("contact", screen.view.contact) {
            ContactContent(screen.view, back, onAction)
        }
        is Screen.Settings -> key("settings") {
            SettingsContent(screen.view, back, onAction)
        }
        is Screen.Scan -> key("scan", screen.view.purpose) {
            ScanContent(screen.view, back, onAction, cameraPreview)
        }
        is Screen.Introduce -> key("introduce", screen.view.conversation) {
            IntroduceContent(screen.view, back, onAction)
        }
        is Screen.NewRoom -> key("new-room") {
            NewRoomContent(screen.view, back, onAction)
        }
        is Screen.Room -> key("room", screen.view.id) {
            RoomContent(screen.view, back, onAction)
        }
        is Screen.Network -> key("network") {
            NetworkContent(screen.view, back, onAction)
        }
    }
}
