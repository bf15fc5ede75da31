// Introductions from Kotlin as the Android app uses them (issue #15): Ana, connected to
// Ben and to Cleo by codes, introduces them; both accept, they connect with no codes
// and write to each other, each marked "introduced by Ana" until verified, while Ana
// sees only the answers and the sizes of what she passed on.
package app.tincan.ffi

import java.io.File
import java.nio.file.Files
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlin.test.fail
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

class IntroductionsTest {
    private val opened = mutableListOf<Node>()
    private val dirs = mutableListOf<File>()

    private fun open(name: String): Node {
        val dir = Files.createTempDirectory("tincan-$name").toFile().also { dirs += it }
        return Node.open(
            NodeOptions(dataDir = dir.path, displayName = name, loopbackOnly = true, connectTimeoutSecs = 20u),
            MemorySecretStore(),
        ).also { opened += it }
    }

    @AfterEach
    fun closeEverything() {
        opened.forEach { it.shutdown(); it.close() }
        dirs.forEach { it.deleteRecursively() }
    }

    /// Reads events until `pred` holds for one (bounded: 30 s).
    private fun Node.expect(what: String, pred: (Event) -> Boolean): Event {
        val seen = mutableListOf<Event>()
        val deadline = System.nanoTime() + 30_000_000_000L
        while (System.nanoTime() < deadline) {
            val event = nextEvent(200u) ?: continue
            if (pred(event)) return event
            seen += event
        }
        fail("no $what within 30 s; saw $seen")
    }

    /// Waits (bounded) until this node lists introduction `id` in `state`.
    private fun Node.introductionIn(id: String, state: IntroState): IntroductionInfo {
        val deadline = System.nanoTime() + 30_000_000_000L
        while (System.nanoTime() < deadline) {
            introductions().firstOrNull { it.id == id && it.state == state }?.let { return it }
            nextEvent(200u)
        }
        fail("introduction $id never reached $state; have ${introductions()}")
    }

    /// Connects two nodes with an in-person code; returns the conversation id.
    private fun connect(inviter: Node, joiner: Node): String {
        val peer = inviter.acceptReply(joiner.join(inviter.createInvite(Protection.Open, null).code, null).replyCode)
        inviter.expect("connected") { it == Event.PeerStateChanged(peer, PeerState.Connected) }
        joiner.expect("connected") { it == Event.PeerStateChanged(peer, PeerState.Connected) }
        return peer
    }

    @Test
    fun `Ana introduces Ben and Cleo, who accept and write to each other with no codes`() {
        val (ana, ben, cleo) = Triple(open("Ana"), open("Ben"), open("Cleo"))
        val withBen = connect(ana, ben)
        val withCleo = connect(ana, cleo)

        val same = assertThrows<TincanException.InvalidInput> { ana.introduce(withBen, withBen) }
        assertEquals("Pick two different people to introduce.", same.message)

        val id = ana.introduce(withBen, withCleo)
        val toBen = ben.introductionIn(id, IntroState.OFFERED)
        assertEquals("Cleo", toBen.name)
        assertEquals("Ana", toBen.introducerName)
        assertEquals(cleo.identityKey(), toBen.key)
        assertEquals(withBen, toBen.introducer)
        assertNull(toBen.reason)
        assertTrue(toBen.expiresAt > (System.currentTimeMillis() / 1000).toULong())
        ben.acceptIntroduction(id)
        assertEquals(IntroState.ACCEPTED, ben.introductions().single { it.id == id }.state)

        val toCleo = cleo.introductionIn(id, IntroState.OFFERED)
        assertEquals("Ben", toCleo.name)
        assertEquals(ben.identityKey(), toCleo.key)
        cleo.acceptIntroduction(id)

        // The introduced conversation's id is the introduction's.
        ben.expect("Ben connected to Cleo") { it == Event.PeerStateChanged(id, PeerState.Connected) }
        cleo.expect("Cleo connected to Ben") { it == Event.PeerStateChanged(id, PeerState.Connected) }
        ben.send(id, "hi Cleo, Ana says you knit")
        val got = cleo.expect("Ben's message") { it is Event.Message && it.peer == id } as Event.Message
        assertEquals("hi Cleo, Ana says you knit", got.text)
        cleo.send(id, "I do!")
        assertEquals("I do!", (ben.expect("Cleo's answer") { it is Event.Message && it.peer == id } as Event.Message).text)

        // Introduced by Ana, not verified, on both sides; Ana herself was not introduced.
        for ((node, name) in listOf(ben to "Cleo", cleo to "Ben")) {
            node.introductionIn(id, IntroState.CONNECTED)
            val anaContact = node.knownConversations().single { it.name == "Ana" }.contact
            val met = node.contacts().single { it.name == name }
            assertEquals(anaContact, met.introducedBy)
            assertTrue(!met.verified)
            assertNull(node.contacts().single { it.name == "Ana" }.introducedBy)
        }

        // Ana saw both answers, when, and how big the sealed cards were: nothing more.
        val made = ana.introductionsMade().single()
        assertEquals(id, made.id)
        assertEquals(listOf(withBen, withCleo), made.sides.map { it.peer })
        assertEquals(listOf("Ben", "Cleo"), made.sides.map { it.name })
        for (side in made.sides) {
            assertEquals(IntroAnswer.ACCEPTED, side.seen.answer)
            assertNotNull(side.seen.at)
            val bytes = assertNotNull(side.seen.bytes)
            assertTrue(bytes in 100uL..1023uL, "a sealed card of $bytes bytes")
        }
        assertTrue(ana.introductions().isEmpty(), "nobody introduced anyone to Ana")
    }

    @Test
    fun `a declined introduction tells the other side and stays declined`() {
        val (ana, ben, cleo) = Triple(open("Ana"), open("Ben"), open("Cleo"))
        val withBen = connect(ana, ben)
        val withCleo = connect(ana, cleo)
        val id = ana.introduce(withCleo, withBen)
        ben.introductionIn(id, IntroState.OFFERED)
        ben.acceptIntroduction(id)
        cleo.introductionIn(id, IntroState.OFFERED)
        cleo.declineIntroduction(id)
        assertEquals("You declined.", cleo.introductions().single().reason)
        val told = ben.introductionIn(id, IntroState.DECLINED)
        assertEquals("Cleo declined.", told.reason)
        val again = assertThrows<TincanException.InvalidInput> { ben.acceptIntroduction(id) }
        assertTrue(again.message!!.startsWith("This introduction has ended"), again.message)
        assertTrue(ben.contacts().none { it.name == "Cleo" }, "no contact was made")
        val answers: Map<String?, IntroAnswer> = ana.introductionsMade().single().sides.associate { it.name to it.seen.answer }
        assertEquals(mapOf<String?, IntroAnswer>("Cleo" to IntroAnswer.DECLINED, "Ben" to IntroAnswer.ACCEPTED), answers)
    }
}
