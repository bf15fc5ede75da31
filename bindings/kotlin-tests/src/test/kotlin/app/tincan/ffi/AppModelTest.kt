// The app model through the bindings, as the phone apps drive it: two AppModels in
// one JVM, views awaited from the suspend update stream (collected the way the
// Android state holder does), actions dispatched off the caller's thread.
package app.tincan.ffi

import java.io.File
import java.nio.file.Files
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import kotlin.test.fail
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeoutOrNull
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Test

class AppModelTest {
    private val opened = mutableListOf<AppModel>()
    private val dirs = mutableListOf<File>()

    /** One phone: its model and its update stream. */
    inner class Phone(name: String) {
        val model: AppModel
        private val updates: AppUpdates
        var view: AppView

        init {
            val dir = Files.createTempDirectory("tincan-app-$name").toFile()
            dirs += dir
            model = AppModel.open(AppOptions(dataDir = dir.path, utcOffsetMinutes = 60, loopbackOnly = true), MemorySecretStore())
            opened += model
            updates = model.updates()
            view = runBlocking { updates.next() } ?: fail("no first view")
            tap(Action.SaveSettings(displayName = name, stunServers = "", inviteLifetimeHours = 24u))
        }

        fun tap(action: Action) = runBlocking {
            withContext(Dispatchers.IO) { model.dispatch(action) }
            view = model.view()
        }

        /** Awaits views (bounded) until [pred] holds. */
        fun waitFor(what: String, pred: (AppView) -> Boolean): AppView = runBlocking {
            withTimeoutOrNull(30_000) {
                while (!pred(view)) {
                    view = updates.next() ?: fail("the update stream ended")
                }
                view
            } ?: fail("no $what within 30 s; last view: $view")
        }
    }

    @AfterEach
    fun closeEverything() {
        opened.forEach { it.shutdown(); it.close() }
        dirs.forEach { it.deleteRecursively() }
    }

    private fun AppView.invite() = (screen as? Screen.Invite)?.view ?: fail("expected the invite screen, got $screen")
    private fun AppView.join() = (screen as? Screen.Join)?.view ?: fail("expected the join screen, got $screen")
    private fun AppView.chat() = (screen as? Screen.Conversation)?.view

    private fun AppView.ticks(text: String): Delivery? =
        chat()?.items?.filterIsInstance<ConversationItem.Message>()?.firstOrNull { it.text == text }?.delivery

    @Test
    fun anaInvitesBenAnswersTheyChatAndSeeTheTicks() {
        val ana = Phone("Ana")
        val ben = Phone("Ben")

        ana.tap(Action.StartInvite)
        ana.tap(Action.EditInvite(question = "Where did we first meet?", answer = "Lisbon"))
        assertTrue(ana.view.invite().canCreate)
        assertTrue(ana.view.invite().strength.isNotEmpty())
        ana.tap(Action.CreateInvite)
        val invite = ana.view.invite()
        assertEquals(InviteStage.WAITING_FOR_REPLY, invite.stage)
        assertTrue(invite.shareText.contains(invite.code))
        assertEquals(RowKind.WAITING_INVITE, ana.view.conversations.single().kind)

        ben.tap(Action.Received(text = invite.shareText, source = Source.SHARE))
        assertEquals("Where did we first meet?", ben.view.join().question)
        ben.tap(Action.EditJoinAnswer(answer = "lisbon"))
        ben.tap(Action.SubmitJoin)
        val reply = ben.view.join()
        assertEquals(JoinStage.SHOW_REPLY, reply.stage, "${reply.error}")

        ana.tap(Action.Received(text = reply.shareText, source = Source.PASTE))
        ana.waitFor("Ana connected to Ben") { it.chat()?.connection == Connection.CONNECTED && it.chat()?.title == "Ben" }
        ben.waitFor("Ben connected to Ana") { it.chat()?.connection == Connection.CONNECTED && it.chat()?.title == "Ana" }
        assertTrue(ana.view.keepAlive.needed)

        ana.tap(Action.Send(text = "Hello from Kotlin"))
        ben.waitFor("the message on Ben's screen") { it.ticks("Hello from Kotlin") == Delivery.INCOMING }
        // Ben is looking at the conversation, so the message is read at once.
        ana.waitFor("the read ticks") { it.ticks("Hello from Kotlin") == Delivery.READ }
        val day = ana.view.chat()!!.items.first()
        assertTrue(day is ConversationItem.Day && day.label == "Today", "$day")

        ana.tap(Action.Back)
        assertEquals(Screen.Conversations, ana.view.screen)
        val row = ana.view.conversations.single()
        assertEquals("Ben", row.title)
        assertEquals("You: Hello from Kotlin", row.preview)
    }

    @Test
    fun somethingThatIsNotACodeIsExplainedNotSent() {
        val ana = Phone("Ana")
        ana.tap(Action.Received(text = "see you at 8?", source = Source.PASTE))
        val notice = ana.view.notice ?: fail("no notice")
        assertTrue(notice.isError)
        assertTrue(notice.text.contains("not a Tincan code"), notice.text)
        assertEquals(Screen.Conversations, ana.view.screen)
        ana.tap(Action.DismissNotice)
        assertEquals(null, ana.view.notice)
        // A picture without a code, from the gallery.
        ana.tap(Action.ReceivedImage(bytes = ByteArray(100) { 7 }))
        assertTrue(ana.view.notice?.isError == true)
    }
}
