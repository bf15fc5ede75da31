package app.tincan.ui.screens

import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxHeight
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.SemanticsActions
import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.semantics.getOrNull
import androidx.compose.ui.test.ComposeUiTest
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.SemanticsMatcher
import androidx.compose.ui.test.SemanticsNodeInteraction
import androidx.compose.ui.test.hasAnyAncestor
import androidx.compose.ui.test.hasAnyDescendant
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasContentDescription
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.isEnabled
import androidx.compose.ui.test.isOff
import androidx.compose.ui.test.isOn
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.performTextReplacement
import androidx.compose.ui.test.runComposeUiTest
import app.tincan.ffi.Action
import app.tincan.ffi.AppModel
import app.tincan.ffi.AppOptions
import app.tincan.ffi.AttachmentView
import app.tincan.ffi.MemorySecretStore
import app.tincan.ffi.Screen
import app.tincan.ui.LocalImageDecoder
import app.tincan.ui.PickKind
import androidx.compose.runtime.CompositionLocalProvider
import app.tincan.ui.AppState
import app.tincan.ui.TincanApp
import app.tincan.ui.TincanTheme
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import org.junit.jupiter.api.Test
import java.io.File
import java.nio.file.Files
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** How long the core may take for one step on a loaded 2-core machine. */
private const val WAIT_MS = 30_000L

/** One phone: its own app model over a temporary directory, rendered by [TincanApp]. */
private class Phone(val name: String, autoAcceptBytes: ULong? = null) : AutoCloseable {
    val dir: File = Files.createTempDirectory("tincan-ui-$name").toFile()
    val model = AppModel.open(
        AppOptions(dataDir = dir.path, utcOffsetMinutes = 0, loopbackOnly = true, autoAcceptBytes = autoAcceptBytes),
        MemorySecretStore(),
    )
    /** What the attach button picks next (the platform's picker and its cache copy). */
    var nextPick: File? = null
    /** What the attach menu asked the platform for. */
    val pickKinds = java.util.concurrent.CopyOnWriteArrayList<PickKind>()
    /** Files handed to the system viewer. */
    val opened = java.util.concurrent.CopyOnWriteArrayList<AttachmentView>()
    val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
    val state = AppState(model, scope)
    val shared = java.util.concurrent.CopyOnWriteArrayList<String>()

    override fun close() {
        scope.cancel()
        model.shutdown()
        model.close()
        dir.deleteRecursively()
    }
}

/**
 * Ana and Ben meet through the real core, touching only their screens: the codes go
 * from one screen to the other by "paste", as a messenger would carry them.
 */
@OptIn(ExperimentalTestApi::class)
class TwoPhonesUiTest {
    private fun ComposeUiTest.phones(vararg phones: Phone) {
        setContent {
            TincanTheme(darkTheme = false) {
                Row(Modifier.fillMaxSize()) {
                    for (phone in phones) {
                        Box(Modifier.weight(1f).fillMaxHeight().testTag(phone.name)) {
                            val view by phone.state.view.collectAsState()
                            CompositionLocalProvider(LocalImageDecoder provides desktopImageDecoder) {
                                TincanApp(
                                    view,
                                    onAction = phone.state::dispatch,
                                    onShare = { phone.shared += it },
                                    onPickFile = { kind ->
                                        phone.pickKinds += kind
                                        phone.nextPick?.let { phone.state.dispatch(Action.PickFile(it.path)) }
                                    },
                                    onOpenFile = { phone.opened += it },
                                )
                            }
                        }
                    }
                }
            }
        }
    }

    private fun on(phone: Phone, matcher: SemanticsMatcher) = matcher and hasAnyAncestor(hasTestTag(phone.name))

    private fun ComposeUiTest.node(phone: Phone, matcher: SemanticsMatcher): SemanticsNodeInteraction =
        onNode(on(phone, matcher), useUnmergedTree = true)

    private fun ComposeUiTest.clickable(phone: Phone, matcher: SemanticsMatcher): SemanticsNodeInteraction =
        onNode(on(phone, matcher and hasClickAction()))

    /** Scrolls [node] into view (if it is in a scrolling screen), then acts, as a thumb would. */
    private fun <T> SemanticsNodeInteraction.inView(act: SemanticsNodeInteraction.() -> T): T {
        if (fetchSemanticsNode().let { n -> generateSequence(n.parent) { it.parent }.any { SemanticsActions.ScrollBy in it.config } }) {
            performScrollTo()
        }
        return act()
    }

    private val start = System.nanoTime()

    /**
     * Waits until [phone]'s screen shows [matcher] (in the unmerged tree: single texts
     * and icons; [merged] for a button with its label), or fails saying what it waited for.
     */
    private fun ComposeUiTest.waitFor(phone: Phone, what: String, matcher: SemanticsMatcher, merged: Boolean = false) {
        val shown = waitBounded {
            onAllNodes(on(phone, matcher), useUnmergedTree = !merged).fetchSemanticsNodes().isNotEmpty()
        }
        if (!shown) throw AssertionError("${phone.name}'s screen never showed $what; the view: ${phone.state.view.value}")
        println("%6.2f s  %s: %s".format((System.nanoTime() - start) / 1e9, phone.name, what))
    }

    /**
     * Renders frames until [condition] holds or [WAIT_MS] pass; whether it held. (Compose
     * 1.7.3's desktop `waitUntil` never gives up by itself: it builds its timeout message
     * and loops on, so the deadline is part of the condition here.)
     */
    private fun ComposeUiTest.waitBounded(condition: () -> Boolean): Boolean {
        val deadline = System.nanoTime() + WAIT_MS * 1_000_000
        var held = false
        waitUntil(timeoutMillis = WAIT_MS) {
            held = condition()
            held || System.nanoTime() > deadline
        }
        return held
    }

    private fun ComposeUiTest.textOf(phone: Phone, tag: String): String =
        node(phone, hasTestTag(tag)).fetchSemanticsNode().config
            .getOrNull(SemanticsProperties.Text)?.joinToString("") { it.text } ?: ""

    @Test
    fun anaInvitesBenAnswersTheyChatAndTheTicksReachRead() = runComposeUiTest {
        Phone("ana").use { ana ->
            Phone("ben").use { ben ->
                ben.state.dispatch(Action.SaveSettings("Ben", "", 24u))
                phones(ana, ben)

                // Ana names herself in the settings.
                clickable(ana, hasContentDescription("Settings")).performClick()
                waitFor(ana, "the settings", hasTestTag("settings-name"))
                node(ana, hasTestTag("settings-name")).performTextReplacement("Ana")
                clickable(ana, hasText("Save")).performClick()
                waitFor(ana, "the settings saved", hasText("Settings saved."))
                waitFor(ana, "her name under the title", hasText("Ana"))

                // Ana makes an invite with a question.
                clickable(ana, hasText("Invite")).performClick()
                waitFor(ana, "the invite screen", hasTestTag("invite-question"))
                node(ana, hasTestTag("invite-question")).performTextInput("Where did we first meet?")
                node(ana, hasTestTag("invite-answer")).performTextInput("Lisbon")
                waitFor(ana, "what the answer protects against", hasTestTag("invite-strength"))
                waitFor(ana, "Create enabled", hasText("Create invite") and hasClickAction() and isEnabled(), merged = true)
                clickable(ana, hasText("Create invite")).inView { performClick() }
                waitFor(ana, "the invite code", hasTestTag("invite-code"))
                val invite = textOf(ana, "invite-code")
                assertTrue(invite.startsWith("TINCAN-"), invite)
                // Share hands the platform the core's line with the code in it.
                clickable(ana, hasText("Share")).inView { performClick() }
                assertTrue(ana.shared.singleOrNull()?.endsWith(invite) == true, "shared: ${ana.shared}")

                // It reaches Ben (a messenger); he pastes it.
                clickable(ben, hasText("Paste a code")).performClick()
                node(ben, hasTestTag("paste-field")).performTextInput(invite)
                clickable(ben, hasText("Open")).performClick()
                waitFor(ben, "Ana's question", hasTestTag("join-question") and hasText("Where did we first meet?"))
                node(ben, hasTestTag("join-answer")).performTextInput(" lisbon")
                waitFor(ben, "Answer enabled", hasText("Answer") and hasClickAction() and isEnabled(), merged = true)
                clickable(ben, hasText("Answer")).inView { performClick() }
                waitFor(ben, "his reply code", hasTestTag("reply-code"))
                val reply = textOf(ben, "reply-code")
                assertTrue(reply.startsWith("TINCAN-"), reply)

                // The reply goes back; Ana pastes it on her invite screen.
                clickable(ana, hasText("Paste the reply")).inView { performClick() }
                node(ana, hasTestTag("paste-field")).inView { performTextInput(reply) }
                clickable(ana, hasText("Open")).inView { performClick() }

                val connected = hasTestTag("conversation-subtitle") and hasText("connected")
                waitFor(ana, "the conversation connected", connected)
                waitFor(ben, "the conversation connected", connected)
                waitFor(ana, "Ben's name", hasText("Ben"))
                waitFor(ben, "Ana's name", hasText("Ana"))

                // Ben goes back to his list; Ana writes.
                clickable(ben, hasContentDescription("Back")).performClick()
                waitFor(ben, "his list", hasTestTag("conversation-list"))
                node(ana, hasTestTag("composer")).performTextInput("Hello Ben!")
                clickable(ana, hasContentDescription("Send")).performClick()
                waitFor(ana, "her message", hasTestTag("message") and hasAnyDescendant(hasText("Hello Ben!")))
                waitFor(ana, "two ticks: delivered", hasTestTag("ticks") and hasContentDescription("Delivered"))

                // Ben sees it unread on his list, opens it; Ana's ticks turn to read.
                waitFor(ben, "the unread message", hasText("Hello Ben!"))
                waitFor(ben, "the unread badge", hasContentDescription("1 unread"))
                clickable(ben, hasText("Hello Ben!")).performClick()
                waitFor(ben, "Ana's message in the conversation", hasTestTag("message") and hasAnyDescendant(hasText("Hello Ben!")))
                waitFor(ana, "two ticks: read", hasTestTag("ticks") and hasContentDescription("Read"))
            }
        }
    }

    /** Ana and Ben connect through their models (the screens' flow is the test above). */
    private fun connect(ana: Phone, ben: Phone) {
        ana.model.dispatch(Action.SaveSettings("Ana", "", 24u))
        ben.model.dispatch(Action.SaveSettings("Ben", "", 24u))
        ana.model.dispatch(Action.StartInvite)
        ana.model.dispatch(Action.EditInvite("Where did we first meet?", "Lisbon"))
        ana.model.dispatch(Action.CreateInvite)
        val invite = (ana.model.view().screen as Screen.Invite).view.shareText
        ben.model.dispatch(Action.Received(invite, app.tincan.ffi.Source.PASTE))
        ben.model.dispatch(Action.EditJoinAnswer("lisbon"))
        ben.model.dispatch(Action.SubmitJoin)
        val reply = (ben.model.view().screen as Screen.Join).view.shareText
        ana.model.dispatch(Action.Received(reply, app.tincan.ffi.Source.PASTE))
    }

    @Test
    fun aPhotosMetadataSwitchAndALargeFileAcceptedThenOpened() = runComposeUiTest {
        Phone("ana").use { ana ->
            Phone("ben", autoAcceptBytes = 100_000u).use { ben ->
                phones(ana, ben)
                connect(ana, ben)
                val connected = hasTestTag("conversation-subtitle") and hasText("connected")
                waitFor(ana, "the conversation connected", connected)
                waitFor(ben, "the conversation connected", connected)

                // A photo: the core's note says its location goes; the switch keeps it.
                ana.nextPick = File(ana.dir, "beach.jpg").apply { writeBytes(BEACH_JPEG) }
                clickable(ana, hasContentDescription("Attach a photo or file")).performClick()
                onNode(hasText("Photo") and hasClickAction()).performClick()
                waitFor(ana, "the metadata note", hasTestTag("metadata-note") and hasText("removed", substring = true))
                onNode(on(ana, hasTestTag("keep-metadata"))).performClick()
                waitFor(ana, "the note saying they are kept", hasTestTag("metadata-note") and hasText("are kept", substring = true))
                clickable(ana, hasContentDescription("Cancel")).performClick()
                val gone = waitBounded {
                    onAllNodes(on(ana, hasTestTag("picked")), useUnmergedTree = true).fetchSemanticsNodes().isEmpty()
                }
                assertTrue(gone, "the picked photo stayed after Cancel")

                // A file over Ben's auto-accept size: he is asked.
                val content = ByteArray(600_000) { (it * 31 % 251).toByte() }
                ana.nextPick = File(ana.dir, "slides.bin").apply { writeBytes(content) }
                clickable(ana, hasContentDescription("Attach a photo or file")).performClick()
                onNode(hasText("File") and hasClickAction()).performClick()
                waitFor(ana, "Send file", hasText("Send file") and hasClickAction(), merged = true)
                clickable(ana, hasText("Send file")).performClick()
                waitFor(ana, "her file in the chat", hasTestTag("attachment-name") and hasText("slides.bin"))

                waitFor(ben, "the offer", hasTestTag("attachment-status") and hasText("600.0 KB · Download it?"))
                clickable(ben, hasText("Accept")).performClick()
                waitFor(ben, "Open", hasText("Open") and hasClickAction(), merged = true)
                clickable(ben, hasText("Open")).performClick()
                val opened = waitBounded { ben.opened.isNotEmpty() }
                assertTrue(opened, "Open did not reach the system viewer")
                val file = File(ben.opened.single().path)
                assertTrue(file.readBytes().contentEquals(content), "the received file differs from the sent one")
                waitFor(ana, "her file counted as sent", hasTestTag("attachment-status") and hasText("600.0 KB · Sent"))
                assertEquals(listOf(PickKind.PHOTO, PickKind.FILE), ana.pickKinds.toList(), "the pickers asked for")
            }
        }
    }

    @Test
    fun pastedJunkIsExplainedInTheNotice() = runComposeUiTest {
        Phone("cleo").use { cleo ->
            phones(cleo)
            clickable(cleo, hasText("Paste a code")).performClick()
            node(cleo, hasTestTag("paste-field")).performTextInput("see you at 8?")
            clickable(cleo, hasText("Open")).performClick()
            waitFor(cleo, "the core's explanation", hasTestTag("notice-text") and hasText("not a Tincan code", substring = true))
            clickable(cleo, hasContentDescription("Dismiss")).performClick()
            val gone = waitBounded {
                onAllNodes(on(cleo, hasTestTag("notice")), useUnmergedTree = true).fetchSemanticsNodes().isEmpty()
            }
            assertTrue(gone, "the notice stayed after Dismiss: ${cleo.state.view.value.notice}")
        }
    }

    /** [inviter] invites [joiner] through their models; the reply goes back by "paste". */
    private fun connectModels(inviter: Phone, joiner: Phone) {
        inviter.model.dispatch(Action.StartInvite)
        inviter.model.dispatch(Action.EditInvite("Where did we first meet?", "Lisbon"))
        inviter.model.dispatch(Action.CreateInvite)
        val invite = (inviter.model.view().screen as Screen.Invite).view.shareText
        joiner.model.dispatch(Action.Received(invite, app.tincan.ffi.Source.PASTE))
        joiner.model.dispatch(Action.EditJoinAnswer("lisbon"))
        joiner.model.dispatch(Action.SubmitJoin)
        val reply = (joiner.model.view().screen as Screen.Join).view.shareText
        inviter.model.dispatch(Action.Received(reply, app.tincan.ffi.Source.PASTE))
    }

    private fun ComposeUiTest.backToList(phone: Phone) {
        while (phone.model.view().canGoBack) phone.model.dispatch(Action.Back)
        waitFor(phone, "the list", hasTestTag("conversation-list"))
    }

    @Test
    fun anaIntroducesBenToCleoBothAcceptAndTheyTalkWithNoCodes() = runComposeUiTest {
        Phone("ana").use { ana ->
            Phone("ben").use { ben ->
                Phone("cleo").use { cleo ->
                    ana.model.dispatch(Action.SaveSettings("Ana", "", 24u))
                    ben.model.dispatch(Action.SaveSettings("Ben", "", 24u))
                    cleo.model.dispatch(Action.SaveSettings("Cleo", "", 24u))
                    phones(ana, ben, cleo)
                    val connected = hasTestTag("conversation-subtitle") and hasText("connected")
                    for (other in listOf(ben, cleo)) {
                        connectModels(ana, other)
                        waitFor(ana, "connected to ${other.name}", connected)
                        waitFor(other, "connected to Ana", connected)
                        backToList(ana)
                        backToList(other)
                    }

                    // Ana opens Ben's contact and introduces him to Cleo.
                    waitFor(ana, "Ben in her list", hasText("Ben"))
                    clickable(ana, hasText("Ben")).performClick()
                    waitFor(ana, "the conversation with Ben", connected)
                    clickable(ana, hasText("Ben")).performClick()
                    waitFor(ana, "Ben's contact", hasTestTag("contact-screen"))
                    clickable(ana, hasText("Introduce to…")).inView { performClick() }
                    waitFor(ana, "the picker", hasText("Introduce Ben to…"))
                    clickable(ana, hasText("Cleo")).performClick()
                    waitFor(ana, "what happens next", hasTestTag("notice-text") and hasText("You introduced Ben and Cleo.", substring = true))

                    // Ben sees it above his list and accepts; then Cleo.
                    waitFor(ben, "the introduction", hasText("Ana introduces Cleo"))
                    clickable(ben, hasText("Accept")).performClick()
                    waitFor(ben, "waiting for Cleo", hasText("You accepted. Waiting for Cleo to accept", substring = true))
                    waitFor(cleo, "the introduction", hasText("Ana introduces Ben"))
                    clickable(cleo, hasText("Accept")).performClick()

                    // They talk directly: no codes were pasted.
                    waitFor(ben, "Cleo in his list", hasText("Cleo"))
                    clickable(ben, hasText("Cleo")).performClick()
                    waitFor(ben, "connected to Cleo", connected)
                    node(ben, hasTestTag("composer")).performTextInput("hi Cleo, Ana says you knit")
                    clickable(ben, hasContentDescription("Send")).performClick()
                    waitFor(cleo, "Ben's message in her list", hasText("hi Cleo, Ana says you knit"))
                    clickable(cleo, hasText("hi Cleo, Ana says you knit")).performClick()
                    waitFor(cleo, "Ben's message", hasTestTag("message") and hasAnyDescendant(hasText("hi Cleo, Ana says you knit")))

                    // Ben's contact for Cleo says who vouched, and that it is not proof.
                    clickable(ben, hasText("Cleo")).performClick()
                    waitFor(ben, "Cleo's contact", hasTestTag("contact-screen"))
                    waitFor(
                        ben,
                        "introduced by Ana",
                        hasText("Introduced by Ana · not verified — compare safety numbers to be sure this is really Cleo"),
                    )
                    // Ana sees both answers on Ben's contact.
                    waitFor(ana, "both accepted", hasTestTag("introduction-made") and hasText("Introduced to Cleo · Ben accepted · Cleo accepted"))
                }
            }
        }
    }

    /** Ana, Ben and Cleo named; Ana connected to Ben and to Cleo (who do not know each other); all on their lists. */
    private fun ComposeUiTest.anaKnowsBenAndCleo(ana: Phone, ben: Phone, cleo: Phone) {
        ana.model.dispatch(Action.SaveSettings("Ana", "", 24u))
        ben.model.dispatch(Action.SaveSettings("Ben", "", 24u))
        cleo.model.dispatch(Action.SaveSettings("Cleo", "", 24u))
        phones(ana, ben, cleo)
        val connected = hasTestTag("conversation-subtitle") and hasText("connected")
        for (other in listOf(ben, cleo)) {
            connectModels(ana, other)
            waitFor(ana, "connected to ${other.name}", connected)
            waitFor(other, "connected to Ana", connected)
            backToList(ana)
            backToList(other)
        }
    }

    /** Ana's conversation with [name], from her list. */
    private fun conversationWith(phone: Phone, name: String): String =
        phone.model.view().conversations.first { it.title == name }.id

    private fun post(text: String) = hasTestTag("room-post") and hasAnyDescendant(hasTestTag("post-text") and hasText(text))

    @Test
    fun anaMakesARoomOnHerScreenBenAndCleoReadAndPostThroughHer() = runComposeUiTest {
        Phone("ana").use { ana ->
            Phone("ben").use { ben ->
                Phone("cleo").use { cleo ->
                    anaKnowsBenAndCleo(ana, ben, cleo)

                    // No room yet: the list says what a room is.
                    waitFor(ana, "the rooms hint", hasTestTag("no-rooms"))
                    // Ana makes the room: a name, Ben and Cleo ticked, Create.
                    clickable(ana, hasText("New room")).performClick()
                    waitFor(ana, "the new room screen", hasTestTag("new-room-screen"))
                    node(ana, hasTestTag("new-room-name")).performTextInput("Picnic")
                    clickable(ana, hasText("Ben")).inView { performClick() }
                    clickable(ana, hasText("Cleo")).inView { performClick() }
                    waitFor(ana, "Create enabled", hasText("Create room") and hasClickAction() and isEnabled(), merged = true)
                    clickable(ana, hasText("Create room")).inView { performClick() }
                    waitFor(ana, "her room", hasTestTag("room-subtitle") and hasText("3 members · you are an admin"))

                    // She posts; it is hers ("you").
                    node(ana, hasTestTag("room-composer")).performTextInput("Saturday at noon?")
                    clickable(ana, hasContentDescription("Post")).performClick()
                    waitFor(ana, "her post", post("Saturday at noon?") and hasAnyDescendant(hasTestTag("post-author") and hasText("you")))

                    // Ben finds the room in his list with Ana's post, opens it and answers.
                    waitFor(ben, "the room in his list", hasText("Ana: Saturday at noon?"))
                    val hintGone = waitBounded {
                        onAllNodes(on(ben, hasTestTag("no-rooms")), useUnmergedTree = true).fetchSemanticsNodes().isEmpty()
                    }
                    assertTrue(hintGone, "the no-rooms hint stayed beside a room")
                    clickable(ben, hasText("Picnic")).performClick()
                    waitFor(ben, "Ana's post", post("Saturday at noon?") and hasAnyDescendant(hasTestTag("post-author") and hasText("Ana")))
                    node(ben, hasTestTag("room-composer")).performTextInput("I'll bring the cake")
                    clickable(ben, hasContentDescription("Post")).performClick()

                    // Cleo is not Ben's contact: his post reaches her through Ana, marked.
                    waitFor(cleo, "the room in her list", hasText("Picnic"))
                    clickable(cleo, hasText("Picnic")).performClick()
                    waitFor(
                        cleo,
                        "Ben's post, marked as not her contact",
                        post("I'll bring the cake") and hasAnyDescendant(hasTestTag("post-author") and hasText("Ben (not your contact)")),
                    )
                    waitFor(ana, "Ben's post", post("I'll bring the cake") and hasAnyDescendant(hasTestTag("post-author") and hasText("Ben")))
                }
            }
        }
    }

    @Test
    fun anaRemovesCleoOnTheMembersTabCleoSeesSheIsOutThenAnaAddsHerBack() = runComposeUiTest {
        Phone("ana").use { ana ->
            Phone("ben").use { ben ->
                Phone("cleo").use { cleo ->
                    anaKnowsBenAndCleo(ana, ben, cleo)
                    // The room is made through Ana's model (the screens' way is the test above).
                    ana.model.dispatch(Action.StartRoom)
                    ana.model.dispatch(Action.EditRoomName("Picnic"))
                    ana.model.dispatch(Action.ChooseRoomMember(conversationWith(ana, "Ben"), true))
                    ana.model.dispatch(Action.ChooseRoomMember(conversationWith(ana, "Cleo"), true))
                    ana.model.dispatch(Action.CreateRoom)
                    waitFor(ana, "her room", hasTestTag("room-subtitle") and hasText("3 members · you are an admin"))

                    // Cleo has it open, and can write.
                    waitFor(cleo, "the room in her list", hasText("Picnic"))
                    clickable(cleo, hasText("Picnic")).performClick()
                    waitFor(cleo, "the composer", hasTestTag("room-composer"))

                    // Ana removes her on the members tab, and confirms.
                    clickable(ana, hasTestTag("tab-members")).performClick()
                    val room = (ana.model.view().screen as Screen.Room).view
                    val cleoKey = room.members.first { it.name == "Cleo" }.key
                    waitFor(ana, "Cleo's Remove", hasTestTag("remove-$cleoKey"))
                    node(ana, hasTestTag("remove-$cleoKey")).inView { performClick() }
                    onNode(hasTestTag("confirm-remove")).performClick()
                    waitFor(ana, "what removing does", hasTestTag("notice-text") and hasText("Removed.", substring = true))
                    waitFor(ana, "two members left", hasTestTag("room-subtitle") and hasText("2 members · you are an admin"))

                    // Cleo is told on the room itself: the banner, and no composer.
                    waitFor(cleo, "the removed banner", hasTestTag("room-banner") and hasAnyDescendant(hasText("You were removed from this room", substring = true)))
                    waitFor(cleo, "why she cannot write", hasTestTag("room-composer-hint") and hasText("You are no longer in this room"))
                    val gone = waitBounded {
                        onAllNodes(on(cleo, hasTestTag("room-composer")), useUnmergedTree = true).fetchSemanticsNodes().isEmpty()
                    }
                    assertTrue(gone, "Cleo still has a composer: ${cleo.state.view.value.screen}")

                    // Ana adds her back from the contacts not in the room; Cleo can write again.
                    clickable(ana, hasTestTag("add-member")).inView { performClick() }
                    val cleoConversation = conversationWith(ana, "Cleo")
                    waitFor(ana, "Cleo among those to add", hasTestTag("addable-$cleoConversation"))
                    node(ana, hasTestTag("add-$cleoConversation")).inView { performClick() }
                    waitFor(ana, "three members again", hasTestTag("room-subtitle") and hasText("3 members · you are an admin"))
                    waitFor(cleo, "the composer again", hasTestTag("room-composer"))
                }
            }
        }
    }

    @Test
    fun theHoldingSwitchIsInTheSettingsAndFlipsBothWays() = runComposeUiTest {
        Phone("ana").use { ana ->
            phones(ana)
            clickable(ana, hasContentDescription("Settings")).performClick()
            clickable(ana, hasText("Relaying and holding")).inView { performClick() }
            waitFor(ana, "the network screen", hasTestTag("network-screen"))
            waitFor(ana, "nothing held", hasTestTag("held-text") and hasText("Holding no letters right now."))
            waitFor(ana, "the switch off", hasTestTag("holding-switch") and isOff(), merged = true)

            clickable(ana, hasTestTag("holding-switch")).performClick()
            waitFor(ana, "the switch on", hasTestTag("holding-switch") and isOn(), merged = true)
            waitFor(ana, "what it means now", hasTestTag("notice-text") and hasText("holds sealed letters", substring = true))
            assertTrue((ana.model.view().screen as Screen.Network).view.holding, "the core did not turn holding on")

            clickable(ana, hasTestTag("holding-switch")).performClick()
            waitFor(ana, "the switch off again", hasTestTag("holding-switch") and isOff(), merged = true)
            waitFor(ana, "that it stopped", hasTestTag("notice-text") and hasText("no longer takes letters", substring = true))
        }
    }
}
