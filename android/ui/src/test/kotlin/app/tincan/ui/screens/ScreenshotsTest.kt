package app.tincan.ui.screens

import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Surface
import androidx.compose.ui.unit.dp
import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Brush
import androidx.compose.ui.graphics.Color
import app.tincan.ffi.AppView
import app.tincan.ffi.Notice
import app.tincan.ffi.Screen
import app.tincan.ui.LocalImageDecoder
import app.tincan.ui.LocalReduceMotion
import app.tincan.ui.PastePanel
import app.tincan.ui.RoomContent
import app.tincan.ui.TincanApp
import app.tincan.ui.TincanTheme
import app.tincan.ui.screenshot.snapshot
import org.junit.jupiter.api.Test

/**
 * Every screen in its main states, rendered from fixed views ([Fixtures]) through the
 * root [TincanApp], on a 360×760 dp phone; light, plus dark and the largest font for the
 * busiest screens. Committed in android/ui/screenshots/; refresh with
 * `mvn -B -o test -Dscreenshots.update=true` and look at every PNG.
 */
class ScreenshotsTest {
    private fun shot(name: String, view: AppView, dark: Boolean = false, fontScale: Float = 1f, heightDp: Int = 760) =
        snapshot(name, heightDp = heightDp, dark = dark, fontScale = fontScale) {
            // Still spinners: an indeterminate one's phase depends on when its first frame ran.
            CompositionLocalProvider(LocalReduceMotion provides true, LocalImageDecoder provides desktopImageDecoder) {
                TincanTheme { TincanApp(view, onAction = {}, onShare = {}, cameraPreview = { FakeCamera() }) }
            }
        }

    private val list = appView(conversations = ROWS)

    @Test fun listEmpty() = shot("list-empty", appView())
    @Test fun list() = shot("list", list)
    @Test fun listDark() = shot("list-dark", list, dark = true)
    @Test fun listLargeFont() = shot("list-font2", list, fontScale = 2f)
    @Test fun listWithErrorNotice() = shot(
        "list-notice",
        list.copy(
            notice = Notice(
                "This is not a Tincan code. Paste the whole message the code came in, or just the code (it starts with TINCAN-).",
                isError = true,
            ),
        ),
    )

    private fun invite(v: app.tincan.ffi.InviteView) = appView(Screen.Invite(v), ROWS)

    @Test fun inviteQuestion() = shot("invite-question", invite(INVITE_CHOOSE))
    @Test fun inviteQuestionDark() = shot("invite-question-dark", invite(INVITE_CHOOSE), dark = true)
    @Test fun inviteQuestionLargeFont() = shot("invite-question-font2", invite(INVITE_CHOOSE), fontScale = 2f)
    @Test fun inviteWeakAnswer() = shot("invite-weak", invite(INVITE_WEAK))
    @Test fun inviteInPerson() = shot("invite-in-person", invite(INVITE_IN_PERSON))
    @Test fun inviteWaiting() = shot("invite-waiting", invite(INVITE_WAITING))
    @Test fun inviteWaitingDark() = shot("invite-waiting-dark", invite(INVITE_WAITING), dark = true)
    @Test fun inviteConnecting() = shot("invite-connecting", invite(INVITE_CONNECTING))

    @Test fun joinExpired() = shot("join-expired", appView(Screen.Join(JOIN_EXPIRED)))
    @Test fun joinReply() = shot("join-reply", appView(Screen.Join(JOIN_REPLY)))

    private fun chat(v: app.tincan.ffi.ConversationView) = appView(Screen.Conversation(v), ROWS)

    @Test fun conversation() = shot("conversation", chat(CONVERSATION_CONNECTED))
    @Test fun conversationDark() = shot("conversation-dark", chat(CONVERSATION_CONNECTED), dark = true)
    @Test fun conversationLargeFont() = shot("conversation-font2", chat(CONVERSATION_CONNECTED), fontScale = 2f)
    @Test fun conversationOffline() = shot("conversation-offline", chat(CONVERSATION_OFFLINE))
    @Test fun conversationKeyChanged() = shot("conversation-key-changed", chat(CONVERSATION_KEY_CHANGED))
    @Test fun conversationFollowUp() = shot("conversation-follow-up", chat(CONVERSATION_FOLLOW_UP))
    @Test fun conversationFollowUpCode() = shot("conversation-follow-up-code", chat(CONVERSATION_FOLLOW_UP_CODE))

    @Test fun conversationFiles() = shot("conversation-files", chat(CONVERSATION_FILES))
    @Test fun conversationFilesDark() = shot("conversation-files-dark", chat(CONVERSATION_FILES), dark = true)
    @Test fun conversationFilesLargeFont() = shot("conversation-files-font2", chat(CONVERSATION_FILES), fontScale = 2f)
    @Test fun conversationPickedPhoto() = shot("conversation-picked-photo", chat(CONVERSATION_PICKED_PHOTO))

    @Test fun contactUnverified() = shot("contact-unverified", appView(Screen.Contact(CONTACT_UNVERIFIED)))
    @Test fun contactKeyChanged() = shot("contact-key-changed", appView(Screen.Contact(CONTACT_KEY_CHANGED)))

    private val introduced = appView(conversations = ROWS, introductions = INTRODUCTIONS)

    @Test fun listIntroductions() = shot("list-introductions", introduced)
    @Test fun listIntroductionsDark() = shot("list-introductions-dark", introduced, dark = true)
    @Test fun listIntroductionsLargeFont() = shot("list-introductions-font2", introduced, fontScale = 2f)
    @Test fun contactIntroduced() = shot("contact-introduced", appView(Screen.Contact(CONTACT_INTRODUCED)))
    /** The whole contact screen on a tall phone: "Introduce to…" and the introductions made, below the QR. */
    @Test fun contactIntroducedWhole() =
        shot("contact-introduced-whole", appView(Screen.Contact(CONTACT_INTRODUCED)), heightDp = 1160)
    @Test fun contactIntroducedLargeFont() =
        shot("contact-introduced-font2", appView(Screen.Contact(CONTACT_INTRODUCED)), fontScale = 2f)
    @Test fun introducePicker() = shot("introduce-picker", appView(Screen.Introduce(INTRODUCE_PICKER)))
    @Test fun introduceNobody() = shot("introduce-nobody", appView(Screen.Introduce(INTRODUCE_NOBODY)))

    private val withRooms = appView(conversations = ROWS, rooms = ROOMS)

    @Test fun listRooms() = shot("list-rooms", withRooms)
    @Test fun listRoomsDark() = shot("list-rooms-dark", withRooms, dark = true)
    @Test fun listRoomsLargeFont() = shot("list-rooms-font2", withRooms, fontScale = 2f)
    @Test fun newRoom() = shot("new-room", appView(Screen.NewRoom(NEW_ROOM)))
    @Test fun newRoomLargeFont() = shot("new-room-font2", appView(Screen.NewRoom(NEW_ROOM)), fontScale = 2f)
    /** Posts from Ana, a contact, a member who is not her contact, and one with no key here. */
    @Test fun room() = shot("room", appView(Screen.Room(ROOM)))
    @Test fun roomDark() = shot("room-dark", appView(Screen.Room(ROOM)), dark = true)
    @Test fun roomLargeFont() = shot("room-font2", appView(Screen.Room(ROOM)), fontScale = 2f)
    @Test fun roomEmpty() = shot("room-empty", appView(Screen.Room(ROOM_EMPTY)))
    @Test fun roomRemoved() = shot("room-removed", appView(Screen.Room(ROOM_REMOVED)))
    @Test fun roomMembers() = members("room-members")
    @Test fun roomMembersLargeFont() = members("room-members-font2", fontScale = 2f)
    @Test fun network() = shot("network", appView(Screen.Network(NETWORK)))
    @Test fun networkOff() = shot("network-off", appView(Screen.Network(NETWORK_OFF)))
    @Test fun networkLargeFont() = shot("network-font2", appView(Screen.Network(NETWORK)), fontScale = 2f)

    /** The room's members tab (a tab the person opens, so rendered on the screen itself). */
    private fun members(name: String, fontScale: Float = 1f) = snapshot(name, fontScale = fontScale) {
        TincanTheme {
            Surface(Modifier.fillMaxSize()) {
                RoomContent(ROOM, canGoBack = true, onAction = {}, membersFirst = true)
            }
        }
    }

    @Test fun settingsWithError() = shot("settings-error", appView(Screen.Settings(SETTINGS_ERROR)))

    @Test fun scan() = shot("scan", appView(Screen.Scan(SCAN)))

    /** The field "Paste a code" opens (above the list's buttons, or on the invite screen). */
    @Test fun pastePanel() = snapshot("paste-panel", heightDp = 240) {
        TincanTheme {
            Surface(Modifier.fillMaxSize()) {
                Box(Modifier.padding(12.dp)) { PastePanel(onOpen = {}, onClose = {}) }
            }
        }
    }
}

/** Stands in for the camera: a dim, blurry room. */
@Composable
private fun FakeCamera() {
    Box(
        Modifier
            .fillMaxSize()
            .background(Brush.verticalGradient(listOf(Color(0xFF3A4040), Color(0xFF1C2020), Color(0xFF2A2620)))),
    )
}
