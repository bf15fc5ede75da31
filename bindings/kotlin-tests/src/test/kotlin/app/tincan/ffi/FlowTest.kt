// Events as a Kotlin Flow, the way the Android app's repository consumes them: the
// flow must stop when its collector stops (first, take, withTimeout, cancel), deliver
// every event in order, and end by itself when the node is shut down or closed —
// leaving no thread behind.
//
// Regression for issue #5: a flow that looped over the blocking `nextEvent(timeout)`
// never reached a suspension point while no event came, so it never saw its
// cancellation; `first { }` and `withTimeout` then waited for it forever, with its
// thread seen (by jstack/gdb) inside the core's wait most of the time. The flow below
// awaits `EventStream.next()` (a suspend fun), which cancels at once.
package app.tincan.ffi

import java.io.File
import java.nio.file.Files
import java.util.concurrent.CopyOnWriteArrayList
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import kotlin.test.fail
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.async
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.filterIsInstance
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.flow.onEach
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** The app's wrapper (bindings/README.md): every event in order, ending at shutdown. */
fun Node.eventFlow(): Flow<Event> = flow {
    events().use { stream ->
        while (true) emit(stream.next() ?: break)
    }
}

/** Bounds every coroutine test well inside JUnit's 60 s, so a hang fails by name. */
private fun <T> bounded(seconds: Long = 30, block: suspend kotlinx.coroutines.CoroutineScope.() -> T): T =
    runBlocking { withTimeout(seconds * 1000) { block() } }

private fun millisSince(start: Long) = (System.nanoTime() - start) / 1_000_000

class FlowTest {
    private val opened = mutableListOf<Node>()
    private val dirs = mutableListOf<File>()

    private fun person(name: String): Node {
        val dir = Files.createTempDirectory("tincan-flow-$name").toFile()
        dirs += dir
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

    /** Ana invites Ben; each side waits for Connected with `first`, the call that hung. */
    private fun connect(ana: Node, ben: Node): String {
        val invite = ana.createInvite(Protection.Open, null)
        val peer = ana.acceptReply(ben.join(invite.code, null).replyCode)
        val connected = Event.PeerStateChanged(peer, PeerState.Connected)
        bounded(20) {
            // Collected on Dispatchers.IO as an app's repository would.
            launch(Dispatchers.IO) { ana.eventFlow().first { it == connected } }
            launch(Dispatchers.IO) { ben.eventFlow().first { it == connected } }
        }
        return peer
    }

    @Test
    fun `first() and take() end the flow, and events arrive in order across flows`() {
        val ana = person("Ana")
        val ben = person("Ben")
        val peer = connect(ana, ben)

        val texts = (1..20).map { "message $it" }
        val ids = texts.map { ana.send(peer, it) }
        val received = bounded { ben.eventFlow().filterIsInstance<Event.Message>().take(20).toList() }
        assertEquals(texts, received.map { it.text })
        assertEquals(ids, received.map { it.id })
        assertTrue(received.all { it.peer == peer })

        // Ana's receipts queued while nobody collected; a new flow gets them all, in order.
        val receipts = bounded { ana.eventFlow().filterIsInstance<Event.Delivered>().take(20).toList() }
        assertEquals(ids, receipts.map { it.id })

        // A flow stopped by `first` loses nothing that came after: both messages arrive,
        // each to exactly one of two flows collected one after the other.
        ana.send(peer, "one")
        ana.send(peer, "two")
        val first = bounded { ben.eventFlow().filterIsInstance<Event.Message>().first() }
        val second = bounded { ben.eventFlow().filterIsInstance<Event.Message>().first() }
        assertEquals(listOf("one", "two"), listOf(first.text, second.text))
    }

    @Test
    fun `withTimeout and cancel stop a flow that is waiting, at once`() {
        val ana = person("Ana")
        // No events will come: the flow is suspended inside EventStream.next().
        val started = System.nanoTime()
        assertThrows<TimeoutCancellationException> {
            runBlocking { withTimeout(300) { ana.eventFlow().first() } }
        }
        val timedOutAfter = millisSince(started)
        assertTrue(timedOutAfter < 2_000, "withTimeout(300 ms) took $timedOutAfter ms")

        bounded {
            val job = launch(Dispatchers.IO) { ana.eventFlow().collect { fail("unexpected event $it") } }
            delay(200)
            val cancelling = System.nanoTime()
            job.cancelAndJoin()
            val cancelledAfter = millisSince(cancelling)
            assertTrue(cancelledAfter < 2_000, "cancel took $cancelledAfter ms")
        }
        // The cancelled waits left the node working: an event still arrives.
        val ben = person("Ben")
        connect(ana, ben)
    }

    @Test
    fun `shutdown or close while a flow collects ends it promptly and leaks no thread`() {
        // Warm-up, as in LeakTest: tokio's first runtime creates process-wide state.
        person("warmup").let { it.shutdown(); it.close(); opened.remove(it) }
        val threadsBefore = nativeThreads()

        val ana = person("Ana")
        val ben = person("Ben")
        val peer = connect(ana, ben)
        val during = nativeThreads()
        val coreThreads = during.filterKeys { it !in threadsBefore }.filterValues { it.startsWith("tincan-node") }
        assertTrue(coreThreads.size >= 4, "expected two runtimes' worker threads, saw $during")

        bounded {
            val anaSeen = CopyOnWriteArrayList<Event>()
            val benSeen = CopyOnWriteArrayList<Event>()
            // Undispatched: both collectors are waiting in next() before anything happens.
            val anaFlow = async(Dispatchers.IO, CoroutineStart.UNDISPATCHED) { ana.eventFlow().onEach { anaSeen += it }.toList() }
            val benFlow = async(Dispatchers.IO, CoroutineStart.UNDISPATCHED) { ben.eventFlow().onEach { benSeen += it }.toList() }
            val id = ana.send(peer, "last words")
            val delivered = Event.Delivered(peer, id)
            withTimeout(10_000) { while (benSeen.none { it is Event.Message } || delivered !in anaSeen) delay(20) }

            // Ana: the deliberate shutdown. Ben: only Kotlin's close() (the last
            // reference goes, the core shuts down on drop).
            var t = System.nanoTime()
            ana.shutdown()
            val anaEvents = withTimeout(5_000) { anaFlow.await() }
            val anaEndedAfter = millisSince(t)
            t = System.nanoTime()
            ben.close()
            opened.remove(ben)
            val benEvents = withTimeout(5_000) { benFlow.await() }
            val benEndedAfter = millisSince(t)
            assertTrue(anaEndedAfter < 5_000 && benEndedAfter < 5_000, "flows ended after $anaEndedAfter / $benEndedAfter ms")
            // Each flow completed normally (not cancelled) with what it had delivered.
            assertEquals(listOf("last words"), benEvents.filterIsInstance<Event.Message>().map { it.text })
            assertEquals(listOf(delivered), anaEvents.filterIsInstance<Event.Delivered>())
            assertEquals(anaSeen.toList(), anaEvents)
            assertEquals(benSeen.toList(), benEvents)
        }
        ana.close()
        opened.remove(ana)

        // Every core thread is gone, and nothing native was added (JNA may have attached
        // the core's threads to the JVM while they woke the flows: they must end too).
        val deadline = System.nanoTime() + 5_000_000_000L
        var leftover: Map<String, String>
        do {
            leftover = nativeThreads().filterKeys { it !in threadsBefore }.filterValues { !isJvmThread(it) }
            if (leftover.isEmpty() && coreThreads.keys.none { File("/proc/self/task/$it").exists() }) break
            Thread.sleep(50)
        } while (System.nanoTime() < deadline)
        assertEquals(emptyMap(), leftover, "native threads left after close")
        val survivors = coreThreads.filterKeys { File("/proc/self/task/$it").exists() }
        assertEquals(emptyMap(), survivors, "core threads survived close")
        val dataFiles = openFds().values.filter { v -> dirs.any { v.startsWith(it.path) } }
        assertEquals(emptyList(), dataFiles, "data files left open after close")
    }
}
