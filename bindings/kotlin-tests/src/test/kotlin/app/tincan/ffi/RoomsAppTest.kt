// Group rooms and the holding switch through the bindings, as the phone apps drive
// them: three AppModels in one JVM, views awaited from the update stream, actions
// dispatched off the caller's thread. Every decision (names, who may remove whom,
// "you were removed") is read from the view, as a screen would.
package app.tincan.ffi

import java.io.File
import java.nio.file.Files
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue
import kotlin.test.fail
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeoutOrNull
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Test

class RoomsAppTest {
    private val opened = mutableListOf<AppModel>()
    private val dirs = mutableListOf<File>()

    /** One phone: its model and its update stream. */
    inner class Phone(val name: String, val dir: File = newDir(name), val secrets: SecretStore = MemorySecretStore()) {
        val model: AppModel = AppModel.open(
            AppOptions(dataDir = dir.path, utcOffsetMinutes = 60, loopbackOnly = true),
            secrets,
        ).also { opened += it }
        private val updates: AppUpdates = model.updates()
        var view: AppView = runBlocking { updates.next() } ?: fail("no first view")

        init {
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

        fun home() {
            while (view.canGoBack) tap(Action.Back)
        }
    }

    private fun newDir(name: String): File =
        Files.createTempDirectory("tincan-rooms-$name").toFile().also { dirs += it }

    @AfterEach
    fun closeEverything() {
        opened.forEach { it.shutdown(); it.close() }
        dirs.forEach { it.deleteRecursively() }
    }

    private fun AppView.invite() = (screen as? Screen.Invite)?.view ?: fail("expected the invite screen, got $screen")
    private fun AppView.join() = (screen as? Screen.Join)?.view ?: fail("expected the join screen, got $screen")
    private fun AppView.chat() = (screen as? Screen.Conversation)?.view
    private fun AppView.room() = (screen as? Screen.Room)?.view
    private fun AppView.network() = (screen as? Screen.Network)?.view ?: fail("expected the network screen, got $screen")
    private fun AppView.shows(author: String, text: String) =
        room()?.posts?.any { it.authorName == author && it.text == text && it.readable } == true

    /** Connects two phones through the invite flow; returns the inviter's conversation id. */
    private fun connect(inviter: Phone, joiner: Phone): String {
        inviter.home()
        inviter.tap(Action.StartInvite)
        inviter.tap(Action.EditInvite(question = "Where did we first meet?", answer = "Lisbon"))
        inviter.tap(Action.CreateInvite)
        joiner.tap(Action.Received(text = inviter.view.invite().shareText, source = Source.SHARE))
        joiner.tap(Action.EditJoinAnswer(answer = "lisbon"))
        joiner.tap(Action.SubmitJoin)
        inviter.tap(Action.Received(text = joiner.view.join().shareText, source = Source.PASTE))
        val v = inviter.waitFor("${joiner.name} connected") {
            it.chat()?.connection == Connection.CONNECTED && it.chat()?.title == joiner.name
        }
        joiner.waitFor("${inviter.name} connected") { it.chat()?.connection == Connection.CONNECTED }
        return v.chat()!!.id
    }

    @Test
    fun anaMakesARoomBenAndCleoSeeThePostsAndBenIsRemoved() {
        val ana = Phone("Ana")
        val ben = Phone("Ben")
        val cleo = Phone("Cleo")
        val withBen = connect(ana, ben)
        val withCleo = connect(ana, cleo)

        ana.home()
        ana.tap(Action.StartRoom)
        val new = (ana.view.screen as? Screen.NewRoom)?.view ?: fail("expected the new room screen")
        assertFalse(new.canCreate)
        assertEquals(listOf("Ben", "Cleo"), new.candidates.map { it.name })
        ana.tap(Action.EditRoomName(name = "Picnic"))
        ana.tap(Action.ChooseRoomMember(conversation = withBen, chosen = true))
        ana.tap(Action.ChooseRoomMember(conversation = withCleo, chosen = true))
        ana.tap(Action.CreateRoom)
        val made = ana.view.room() ?: fail("expected the room, got ${ana.view.screen}")
        assertEquals("3 members · you are an admin", made.subtitle)
        assertEquals(listOf("You · admin", "Ben", "Cleo"), made.members.map { it.label })
        assertEquals(listOf(false, true, true), made.members.map { it.canRemove })
        val benKey = made.members.first { it.name == "Ben" }.key
        val roomId = made.id

        ana.tap(Action.PostToRoom(text = "Saturday at noon?"))
        assertTrue(ana.view.shows("you", "Saturday at noon?"))

        // Ben and Cleo see the room in their lists with the post, unread.
        for (other in listOf(ben, cleo)) {
            val v = other.waitFor("the room on ${other.name}'s phone") { v ->
                v.rooms.any { it.id == roomId && it.preview == "Ana: Saturday at noon?" && it.unread == 1u }
            }
            assertEquals("Picnic", v.rooms.first { it.id == roomId }.name)
            other.home()
            other.tap(Action.OpenRoom(id = roomId))
            val room = other.view.room() ?: fail("expected the room on ${other.name}'s phone")
            assertFalse(room.isAdmin)
            assertTrue(room.members.none { it.canRemove })
            assertTrue(room.canPost)
            assertTrue(other.view.shows("Ana", "Saturday at noon?"))
        }

        // Cleo posts; Ben, who does not know her, sees it through Ana, marked.
        cleo.tap(Action.PostToRoom(text = "I'll bring bread"))
        ben.waitFor("Cleo's post on Ben's phone") { it.shows("Cleo (not your contact)", "I'll bring bread") }
        ana.waitFor("Cleo's post on Ana's phone") { it.shows("Cleo", "I'll bring bread") }

        // Ana removes Ben: his screen says so and has no composer.
        ana.tap(Action.RemoveRoomMember(member = benKey))
        assertEquals(listOf("You · admin", "Cleo"), ana.view.room()!!.members.map { it.label })
        val gone = ben.waitFor("Ben told he was removed") { it.room()?.joined == false }.room()!!
        assertTrue(gone.banner.startsWith("You were removed"), gone.banner)
        assertFalse(gone.canPost)
        ben.tap(Action.PostToRoom(text = "wait"))
        assertEquals("You are no longer in this room.", ben.view.notice?.text)

        ana.tap(Action.PostToRoom(text = "Ben is out"))
        cleo.waitFor("Ana's post after the removal") { it.shows("Ana", "Ben is out") }
        Thread.sleep(500)
        assertTrue(ben.model.view().room()!!.posts.none { it.text == "Ben is out" })
    }

    @Test
    fun theHoldingSwitchIsKeptAcrossARestart() {
        val ana = Phone("Ana")
        ana.tap(Action.OpenSettings)
        ana.tap(Action.OpenNetwork)
        val before = ana.view.network()
        assertFalse(before.holding)
        assertEquals(0u, before.heldCount)
        assertEquals("Holding no letters right now.", before.heldText)
        assertTrue(before.relays.isEmpty())
        ana.tap(Action.SetHolding(on = true))
        assertTrue(ana.view.network().holding)

        opened -= ana.model
        ana.model.shutdown()
        ana.model.close()
        val again = Phone("Ana", dir = ana.dir, secrets = ana.secrets)
        again.tap(Action.OpenSettings)
        again.tap(Action.OpenNetwork)
        assertTrue(again.view.network().holding, "the switch survives a restart")
        again.tap(Action.SetHolding(on = false))
        assertFalse(again.view.network().holding)
    }
}
