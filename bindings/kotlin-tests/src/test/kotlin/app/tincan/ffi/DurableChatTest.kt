// Contacts that stay connected, from Kotlin as the Android app uses them: contacts
// with matching safety numbers, a message written while the other app is closed that
// arrives once after it reopens (no codes), history pages and read receipts.
package app.tincan.ffi

import java.io.File
import java.nio.file.Files
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import kotlin.test.fail
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Test

class DurableChatTest {
    private val opened = mutableListOf<Node>()
    private val dirs = mutableListOf<File>()

    private fun dir(name: String): File =
        Files.createTempDirectory("tincan-$name").toFile().also { dirs += it }

    private fun open(name: String, dir: File, store: SecretStore): Node =
        Node.open(
            NodeOptions(dataDir = dir.path, displayName = name, loopbackOnly = true, connectTimeoutSecs = 20u),
            store,
        ).also { opened += it }

    @AfterEach
    fun closeEverything() {
        opened.forEach { it.shutdown(); it.close() }
        dirs.forEach { it.deleteRecursively() }
    }

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

    @Test
    fun `contacts, a message across a restart, history and read receipts`() {
        val (anaDir, benDir) = dir("ana") to dir("ben")
        val (anaStore, benStore) = RecordingSecretStore() to RecordingSecretStore()
        val ana = open("Ana", anaDir, anaStore)
        var ben = open("Ben", benDir, benStore)
        val invite = ana.createInvite(Protection.Open, null)
        val peer = ana.acceptReply(ben.join(invite.code, null).replyCode)

        val anaSees = ana.expect("contact") { it is Event.ContactAdded } as Event.ContactAdded
        val benSees = ben.expect("contact") { it is Event.ContactAdded } as Event.ContactAdded
        assertEquals("Ben", anaSees.name)
        assertEquals(anaSees.safetyNumber, benSees.safetyNumber, "both see the same safety number")
        assertEquals(ben.identityKey(), anaSees.contact)
        assertTrue(anaStore.calls.any { it == "put identity-ed25519" }, "the identity key went to the app's store")
        ana.expect("connected") { it == Event.PeerStateChanged(peer, PeerState.Connected) }

        // Ben's app closes; Ana writes meanwhile: it waits in her outbox.
        ben.shutdown(); ben.close(); opened.remove(ben)
        ana.expect("reconnecting") { it is Event.PeerStateChanged && it.state is PeerState.Reconnecting }
        val id = ana.send(peer, "written while you were away")
        assertEquals(1uL, ana.peers().single().outbox)

        // Ben's app opens again: no codes, the conversation reconnects, the message arrives once.
        ben = open("Ben", benDir, benStore)
        val got = ben.expect("message") { it is Event.Message } as Event.Message
        assertEquals("written while you were away", got.text)
        ana.expect("delivered") { it == Event.Delivered(peer, id) }
        assertEquals(0uL, ana.peers().single().outbox)

        val history = ben.history(peer, null, 50u)
        assertEquals(listOf("written while you were away"), history.map { it.text })
        assertEquals(MessageStatus.RECEIVED, history.single().status)
        ben.markRead(peer, history.single().seq)
        val read = ana.expect("read receipt") { it is Event.Read } as Event.Read
        assertEquals(listOf(id), read.ids)
        assertEquals(MessageStatus.READ, ana.history(peer, null, 10u).single().status)

        val contacts = ana.contacts()
        assertEquals(1, contacts.size)
        assertEquals(anaSees.safetyNumber, contacts.single().safetyNumber)
        assertTrue(ana.verifyScanned(contacts.single().id, ben.safetyQrPayload(ana.identityKey())))
        assertTrue(ana.contacts().single().verified)
    }

    @Test
    fun `a join waits across a restart and connects when the reply is loaded later`() {
        val (anaDir, benDir) = dir("ana") to dir("ben")
        val benStore = RecordingSecretStore()
        val ana = open("Ana", anaDir, RecordingSecretStore())
        var ben = open("Ben", benDir, benStore)
        val invite = ana.createInvite(Protection.Open, null)
        val joined = ben.join(invite.code, null)
        ben.shutdown(); ben.close(); opened.remove(ben)

        // Reopened: the join is still waiting, with its reply and the invite's expiry.
        ben = open("Ben", benDir, benStore)
        val waiting = ben.waitingConversations().single()
        assertEquals(joined.peer, waiting.peer)
        assertEquals(Role.JOINER, waiting.role)
        assertEquals(invite.expiresAt, waiting.until)
        assertEquals(joined.replyCode, waiting.replyCode)

        val peer = ana.acceptReply(joined.replyCode)
        ana.expect("Ana connected") { it == Event.PeerStateChanged(peer, PeerState.Connected) }
        ben.expect("Ben connected") { it == Event.PeerStateChanged(peer, PeerState.Connected) }
        assertTrue(ben.waitingConversations().isEmpty(), "connected: no longer waiting")
    }

    @Test
    fun `a hidden app chats on the background pace and a network change brings a contact back`() {
        val (anaDir, benDir) = dir("ana") to dir("ben")
        val benStore = RecordingSecretStore()
        val ana = open("Ana", anaDir, RecordingSecretStore())
        var ben = open("Ben", benDir, benStore)
        val peer = ana.acceptReply(ben.join(ana.createInvite(Protection.Open, null).code, null).replyCode)
        ana.expect("connected") { it == Event.PeerStateChanged(peer, PeerState.Connected) }
        assertEquals(Pace.FOREGROUND, ana.pace(), "a node starts in the foreground")

        // Ana's app goes to the background: the chat still works both ways.
        ana.setPace(Pace.BACKGROUND)
        assertEquals(Pace.BACKGROUND, ana.pace())
        ben.send(peer, "still there?")
        assertEquals("still there?", (ana.expect("message") { it is Event.Message } as Event.Message).text)
        val id = ana.send(peer, "in my pocket")
        ana.expect("delivered") { it == Event.Delivered(peer, id) }

        // Ben's app closes and opens again; Ana, in the background, does not poll for
        // him, but the phone's network change makes her try at once.
        ben.shutdown(); ben.close(); opened.remove(ben)
        ana.expect("reconnecting") { it is Event.PeerStateChanged && it.state is PeerState.Reconnecting }
        ben = open("Ben", benDir, benStore)
        Thread.sleep(2_000)
        ana.networkChanged()
        ana.expect("connected again") { it == Event.PeerStateChanged(peer, PeerState.Connected) }
        ana.setPace(Pace.FOREGROUND)
        assertEquals(Pace.FOREGROUND, ana.pace())
    }
}
