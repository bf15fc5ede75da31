// Two nodes in one JVM, driven through the generated bindings exactly as the Android
// app drives them: blocking calls off the UI thread, events pulled in order, a
// secret store written in Kotlin, typed exceptions, and an explicit close that must
// leave no thread, socket or file behind.
package app.tincan.ffi

import java.io.File
import java.nio.file.Files
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.CopyOnWriteArrayList
import kotlin.test.assertEquals
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlin.test.fail
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** A secret store written in Kotlin (the app's is Keystore-backed) that records calls. */
class RecordingSecretStore : SecretStore {
    val map = ConcurrentHashMap<String, ByteArray>()
    val calls = CopyOnWriteArrayList<String>()
    override fun get(key: String): ByteArray? { calls += "get $key"; return map[key] }
    override fun put(key: String, value: ByteArray) { calls += "put $key"; map[key] = value }
    override fun delete(key: String) { calls += "delete $key"; map.remove(key) }
}

class NodeTest {
    private val opened = mutableListOf<Node>()
    private val dirs = mutableListOf<File>()

    private fun person(name: String, store: SecretStore = MemorySecretStore()): Node {
        val dir = Files.createTempDirectory("tincan-$name").toFile()
        dirs += dir
        val node = Node.open(
            NodeOptions(dataDir = dir.path, displayName = name, loopbackOnly = true, connectTimeoutSecs = 20u),
            store,
        )
        opened += node
        return node
    }

    @AfterEach
    fun closeEverything() {
        opened.forEach { it.shutdown(); it.close() }
        dirs.forEach { it.deleteRecursively() }
    }

    private fun questionInvite(answer: String) =
        Protection.Question(question = "Where did we first meet?", answer = answer)

    /** Waits (bounded) for the first event matching [pred], pulling on this thread. */
    private fun Node.expect(what: String, pred: (Event) -> Boolean): Event {
        val seen = mutableListOf<Event>()
        val deadline = System.nanoTime() + 20_000_000_000L
        while (System.nanoTime() < deadline) {
            val started = System.nanoTime()
            val event = nextEvent(200u)
            val waited = (System.nanoTime() - started) / 1_000_000
            assertTrue(waited < 5_000, "nextEvent(200 ms) blocked for $waited ms")
            if (event != null) { if (pred(event)) return event; seen += event }
        }
        fail("no $what within 20 s; saw $seen")
    }

    private fun Node.expectConnected(peer: String) =
        expect("connected $peer") { it == Event.PeerStateChanged(peer, PeerState.Connected) }

    private fun Node.expectMessage(peer: String, text: String) =
        expect("message \"$text\"") { it is Event.Message && it.peer == peer && it.text == text } as Event.Message

    /** Ana invites, Ben answers, Ana loads the reply: both end up connected. */
    private fun connect(ana: Node, ben: Node, protection: Protection, answer: String?): String {
        val invite = ana.createInvite(protection, null)
        val preview = ben.openInvite(invite.code)
        assertEquals(invite.inviteId, preview.inviteId)
        val joined = ben.join(invite.code, answer)
        val peer = ana.acceptReply(joined.replyCode)
        assertEquals(invite.inviteId, peer)
        assertEquals(peer, joined.peer)
        ana.expectConnected(peer)
        ben.expectConnected(peer)
        return peer
    }

    @Test
    fun `with a question, two nodes connect over loopback and chat both ways`() {
        val ana = person("Ana")
        val ben = person("Ben")
        val invite = ana.createInvite(questionInvite("the Lisbon bookshop"), null)
        val preview = ben.openInvite(invite.code)
        assertEquals("Where did we first meet?", preview.question)
        assertEquals(InviteMode.QUESTION, preview.mode)
        // Typed with different case and spacing: the answer is normalised.
        val joined = ben.join(invite.code, "  The LISBON  bookshop ")
        val peer = ana.acceptReply(joined.replyCode)
        ana.expectConnected(peer)
        ben.expectConnected(peer)

        val id = ana.send(peer, "hi Ben")
        assertEquals(id, ben.expectMessage(peer, "hi Ben").id)
        assertEquals(Event.Delivered(peer, id), ana.expect("receipt") { it is Event.Delivered })
        ben.send(peer, "hi Ana, ünïcødé ✓")
        ana.expectMessage(peer, "hi Ana, ünïcødé ✓")

        val anaSeesBen = ana.peers().single()
        assertEquals(Role.INVITER, anaSeesBen.role)
        assertEquals(PeerState.Connected, anaSeesBen.state)
        assertEquals("Ben", anaSeesBen.name)
        assertEquals(Role.JOINER, ben.peers().single().role)
    }

    @Test
    fun `without a question (open invite), they connect and chat both ways`() {
        val ana = person("Ana")
        val ben = person("Ben")
        val invite = ana.createInvite(Protection.Open, 3600u)
        assertNull(ben.openInvite(invite.code).question)
        assertEquals(InviteMode.OPEN, parseCode(invite.code).mode)
        val peer = connect(ana, ben, Protection.Open, null).also { assertTrue(it.isNotEmpty()) }
        ben.send(peer, "from Ben")
        ana.expectMessage(peer, "from Ben")
        ana.send(peer, "from Ana")
        ben.expectMessage(peer, "from Ana")
    }

    @Test
    fun `events arrive in order`() {
        val ana = person("Ana")
        val ben = person("Ben")
        val peer = connect(ana, ben, Protection.Open, null)
        val texts = (1..20).map { "message $it" }
        val ids = texts.map { ana.send(peer, it) }
        val received = ids.map { ben.expect("message") { it is Event.Message } as Event.Message }
        assertEquals(texts, received.map { it.text })
        assertEquals(ids, received.map { it.id })
        val receipts = ids.map { ana.expect("receipt") { it is Event.Delivered } as Event.Delivered }
        assertEquals(ids, receipts.map { it.id })
    }

    @Test
    fun `a wrong answer is a typed exception with the core's message, and an event`() {
        val ana = person("Ana")
        val ben = person("Ben")
        val invite = ana.createInvite(questionInvite("the Lisbon bookshop"), null)
        val reply = ben.join(invite.code, "the Porto café").replyCode
        val e = assertThrows<TincanException.WrongAnswer> { ana.acceptReply(reply) }
        assertEquals(
            "The answer does not match the question. Check it with the person who invited you; " +
                "each wrong try uses up one of the invite's few attempts.",
            e.message,
        )
        assertEquals(Event.WrongAnswer(invite.inviteId, 2u), ana.expect("wrong answer") { it is Event.WrongAnswer })
        // A question invite without an answer is refused before anything is sent.
        val other = ana.createInvite(questionInvite("x"), null)
        assertThrows<TincanException.InvalidInput> { person("Cleo").join(other.code, null) }
    }

    @Test
    fun `malformed and misplaced codes are typed exceptions, not crashes`() {
        val ana = person("Ana")
        val ben = person("Ben")
        val notACode = assertThrows<TincanException.NotACode> { ben.join("see you at 8?", null) }
        assertTrue(notACode.message!!.contains("TINCAN-"))
        val invite = ana.createInvite(Protection.Open, null)
        assertThrows<TincanException.InvalidCode> { ben.join(invite.code.dropLast(6), null) }
        val wrongKind = assertThrows<TincanException.InvalidCode> { ana.acceptReply(invite.code) }
        assertEquals("This is an invite code, but a reply code is needed here.", wrongKind.message)
        assertThrows<TincanException.UnknownPeer> { ana.send("0011223344556677", "hello?") }
        assertThrows<TincanException.InvalidInput> { ana.createInvite(Protection.Open, 0u) }
        assertThrows<TincanException.InvalidInput> {
            Node.open(NodeOptions(dataDir = " "), MemorySecretStore())
        }
    }

    @Test
    fun `the core keeps invite secrets in a store written in Kotlin`() {
        val anaStore = RecordingSecretStore()
        val ana = person("Ana", anaStore)
        val ben = person("Ben")
        val invite = ana.createInvite(questionInvite("blue"), null)
        val key = "invite-${invite.inviteId}"
        assertTrue("put $key" in anaStore.calls, "calls: ${anaStore.calls}")
        assertTrue(anaStore.map.getValue(key).isNotEmpty())
        val reply = ben.join(invite.code, "blue").replyCode
        ana.acceptReply(reply)
        assertTrue("get $key" in anaStore.calls, "calls: ${anaStore.calls}")
        ana.expectConnected(invite.inviteId)
    }

    @Test
    fun `a failing Kotlin store becomes a storage error with its reason`() {
        val broken = object : SecretStore {
            override fun get(key: String): ByteArray? = throw SecretStoreException.Failed("keystore locked")
            override fun put(key: String, value: ByteArray) = throw SecretStoreException.Failed("keystore locked")
            override fun delete(key: String) = Unit
        }
        val e = assertThrows<TincanException.Storage> { person("Ana", broken).createInvite(Protection.Open, null) }
        assertTrue(e.message!!.contains("keystore locked"), e.message)

        // An exception UniFFI does not know is still an error, not a crash.
        val buggy = object : SecretStore {
            override fun get(key: String): ByteArray? = null
            override fun put(key: String, value: ByteArray) = throw IllegalStateException("bug in the app")
            override fun delete(key: String) = Unit
        }
        assertThrows<TincanException.Storage> { person("Ben", buggy).createInvite(Protection.Open, null) }
    }

    @Test
    fun `after shutdown calls fail as Closed and next_event returns at once`() {
        val ana = person("Ana")
        ana.shutdown()
        assertTrue(ana.isShutDown())
        val e = assertThrows<TincanException.Closed> { ana.createInvite(Protection.Open, null) }
        assertEquals("Tincan has been shut down.", e.message)
        val started = System.nanoTime()
        assertNull(ana.nextEvent(5_000u))
        assertTrue(System.nanoTime() - started < 1_000_000_000L, "next_event waited after shutdown")
        ana.shutdown() // idempotent
    }
}
