// Closing a node must release it: every native thread the core started, every UDP
// socket, and the database files. Checked from the outside, through /proc/self, in a
// JVM of its own (surefire does not reuse forks).
package app.tincan.ffi

import java.io.File
import java.nio.file.Files
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import kotlin.test.fail
import org.junit.jupiter.api.Test

/** Native threads of this process: thread id to name (Linux truncates names to 15 bytes). */
internal fun nativeThreads(): Map<String, String> =
    File("/proc/self/task").listFiles().orEmpty().mapNotNull { task ->
        runCatching { task.name to File(task, "comm").readText().trim() }.getOrNull()
    }.toMap()

/** Open descriptors of this process: fd to what it points at. */
internal fun openFds(): Map<String, String> =
    File("/proc/self/fd").listFiles().orEmpty().mapNotNull { fd ->
        runCatching { fd.name to Files.readSymbolicLink(fd.toPath()).toString() }.getOrNull()
    }.toMap()

private fun sockets(fds: Map<String, String>) = fds.values.filter { it.startsWith("socket:") }.toSet()

/** Which protocol table of /proc/self/net lists a socket, with its line: for messages. */
private fun describe(socket: String): String {
    val inode = socket.removePrefix("socket:[").removeSuffix("]")
    for (table in listOf("udp", "udp6", "tcp", "tcp6", "unix", "netlink")) {
        val line = runCatching { File("/proc/self/net/$table").readLines() }.getOrDefault(emptyList())
            .firstOrNull { it.split(Regex("\\s+")).contains(inode) }
        if (line != null) return "$table: ${line.trim()}"
    }
    return "$socket (not in /proc/self/net)"
}

/** Threads the JVM starts on its own whenever it likes (JIT, GC, JNA's cleaner). */
internal fun isJvmThread(name: String): Boolean {
    val javaNames = Thread.getAllStackTraces().keys.map { it.name.take(15) }
    return name in javaNames || name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler") ||
        name.startsWith("GC Thread") || name.startsWith("G1 ") || name.startsWith("VM ") ||
        name == "java" || name.startsWith("Sweeper")
}

class LeakTest {
    @Test
    fun `closing connected nodes releases their threads, sockets and files`() {
        // Warm-up: the first runtime in a process creates tokio's process-wide signal
        // socket pair (two unix sockets that live as long as the process). Open and
        // close one node first so only what a node itself holds is measured.
        Files.createTempDirectory("tincan-leak-warmup").toFile().let { dir ->
            Node.open(NodeOptions(dataDir = dir.path, loopbackOnly = true), MemorySecretStore()).use { it.shutdown() }
            dir.deleteRecursively()
        }
        val threadsBefore = nativeThreads()
        val socketsBefore = sockets(openFds())
        val dirs = listOf("ana", "ben").map { Files.createTempDirectory("tincan-leak-$it").toFile() }
        val (ana, ben) = dirs.map {
            Node.open(NodeOptions(dataDir = it.path, displayName = it.name, loopbackOnly = true), MemorySecretStore())
        }

        val invite = ana.createInvite(Protection.Open, null)
        val peer = ana.acceptReply(ben.join(invite.code, null).replyCode)
        for (node in listOf(ana, ben)) {
            val deadline = System.nanoTime() + 20_000_000_000L
            while (node.peers().singleOrNull()?.state != PeerState.Connected) {
                if (System.nanoTime() > deadline) fail("not connected: ${node.peers()}")
                node.nextEvent(200u)
            }
        }
        ana.send(peer, "before closing")

        // While open, the core's runtime threads, its UDP sockets and the database
        // are visible: proof that the checks below can see what they look for.
        val during = nativeThreads()
        val coreThreads = during.filterKeys { it !in threadsBefore }.filterValues { it.startsWith("tincan-node") }
        assertTrue(coreThreads.size >= 4, "expected two runtimes' worker threads, saw $during")
        val fdsDuring = openFds()
        assertTrue(sockets(fdsDuring).size > socketsBefore.size, "no new sockets while connected")
        assertTrue(fdsDuring.values.any { v -> dirs.any { v.startsWith(it.path) } }, "database not open")

        ana.shutdown(); ben.shutdown()
        ana.close(); ben.close()

        // Shutdown waits for the runtime; allow the kernel a moment to reap threads.
        val deadline = System.nanoTime() + 5_000_000_000L
        var leftover: Map<String, String>
        do {
            leftover = nativeThreads().filterKeys { it !in threadsBefore }.filterValues { !isJvmThread(it) }
            if (leftover.isEmpty()) break
            Thread.sleep(50)
        } while (System.nanoTime() < deadline)
        assertEquals(emptyMap(), leftover, "native threads left after close")
        assertTrue(coreThreads.keys.none { File("/proc/self/task/$it").exists() }, "a core thread survived")

        val fdsAfter = openFds()
        assertEquals(emptyList(), (sockets(fdsAfter) - socketsBefore).map(::describe), "sockets left open after close")
        assertEquals(
            emptyList(),
            fdsAfter.values.filter { v -> dirs.any { v.startsWith(it.path) } },
            "data files left open after close",
        )
        dirs.forEach { it.deleteRecursively() }
    }
}
