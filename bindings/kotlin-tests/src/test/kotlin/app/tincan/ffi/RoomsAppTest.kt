// Group rooms and the holding switch through the bindings, as the phone apps drive
// them: three AppModels in one JVM, views awaited from the update stream, actions
// dispatched off the caller's thread. Every decision (names, who may remove whom,
// "you were removed") is read from the view, as a screen would.
package app.tincan.ffi

import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue
import kotlin.test.fail
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Test

class RoomsAppTest {
    private val phones = AppPhones()

    @AfterEach
    fun closeEverything() = phones.close()

    private fun AppView.room() = (screen as? Screen.Room)?.view
    private fun AppView.network() = (screen as? Screen.Network)?.view ?: fail("expected the network screen, got $screen")
    private fun AppView.shows(author: String, text: String) =
        room()?.posts?.any { it.authorName == author && it.text == text && it.readable } == true

    @Test
    fun anaMakesARoomBenAndCleoSeeThePostsAndBenIsRemoved() {
        val ana = phones.open("Ana")
        val ben = phones.open("Ben")
        val cleo = phones.open("Cleo")
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
        assertTrue(made.members.none { it.notContact }, "Ana knows both")
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
        val onBen = ben.waitFor("Cleo's post on Ben's phone") { it.shows("Cleo (not your contact)", "I'll bring bread") }
        // The members tab marks her the same way.
        assertEquals(
            listOf("Cleo (not your contact)"),
            onBen.room()!!.members.filter { it.notContact }.map { it.label },
        )
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
        val ana = phones.open("Ana")
        ana.tap(Action.OpenSettings)
        ana.tap(Action.OpenNetwork)
        val before = ana.view.network()
        assertFalse(before.holding)
        assertEquals(0u, before.heldCount)
        assertEquals("Holding no letters right now.", before.heldText)
        assertTrue(before.relays.isEmpty())
        ana.tap(Action.SetHolding(on = true))
        assertTrue(ana.view.network().holding)

        val again = phones.restart(ana)
        again.tap(Action.OpenSettings)
        again.tap(Action.OpenNetwork)
        assertTrue(again.view.network().holding, "the switch survives a restart")
        again.tap(Action.SetHolding(on = false))
        assertFalse(again.view.network().holding)
    }
}
