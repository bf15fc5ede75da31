// Code-level exports called from Kotlin exactly as the Android app will: typed
// exceptions with the core's messages, records, byte arrays across the boundary.
package app.tincan.ffi

import java.io.File
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertNull
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** The known-answer exchange from the core's fixtures (an expired invite and its reply). */
private fun fixture(mode: String): Map<String, String> {
    val file = File("../../core/tests/fixtures/kat/$mode.txt")
    return file.readLines()
        .filter { " = " in it && !it.startsWith("#") }
        .associate { it.substringBefore(" = ").trim() to it.substringAfter(" = ").trim() }
}

class CodesTest {
    @Test
    fun `a malformed code is a typed exception with the core's message`() {
        val e = assertThrows<TincanException.NotACode> { parseCode("hello, is this the code?") }
        assertEquals("This is not a Tincan code. Tincan codes start with \"TINCAN-\".", e.message)

        val damaged = assertThrows<TincanException.InvalidCode> { parseCode("TINCAN-I1-AAAAAAAA") }
        assertTrue(damaged.message!!.startsWith("This code is damaged or incomplete"), damaged.message)
    }

    @Test
    fun `a truncated real code is refused as damaged`() {
        val reply = fixture("open").getValue("reply")
        val e = assertThrows<TincanException.InvalidCode> { parseCode(reply.dropLast(5)) }
        assertTrue(e.message!!.contains("Ask for it to be sent again"), e.message)
    }

    @Test
    fun `a reply is recognised with the invite it answers, through messenger noise`() {
        val kat = fixture("question")
        val noisy = "here you go:\n " + kat.getValue("reply").chunked(20).joinToString(" \u200b") + " \n"
        val summary = parseCode(noisy)
        assertEquals(CodeKind.REPLY, summary.kind)
        assertEquals(kat.getValue("invite_id"), summary.inviteId)
        assertNull(summary.question)
        assertTrue(looksLikeCode(noisy))
        assertTrue(!looksLikeCode("just a chat message"))
    }

    @Test
    fun `a code survives the QR round trip as PNG and as a camera frame`() {
        val reply = fixture("open").getValue("reply")
        val symbol = renderQr(reply, 6u)
        assertEquals(symbol.size.toInt() * symbol.size.toInt(), symbol.modules.size)
        assertContentEquals(byteArrayOf(0x89.toByte(), 'P'.code.toByte(), 'N'.code.toByte(), 'G'.code.toByte()),
            symbol.png.copyOfRange(0, 4))
        assertEquals(reply, decodeQrImage(symbol.png))

        // Draw the module grid as a camera would see it: 5 px per module, a quiet zone,
        // rows padded to a 64-byte stride like a real camera plane.
        val px = 5
        val side = (symbol.size.toInt() + 8) * px
        val stride = (side + 63) / 64 * 64
        val luma = ByteArray(stride * side) { 0xFF.toByte() }
        for (y in 0 until symbol.size.toInt()) for (x in 0 until symbol.size.toInt()) {
            if (symbol.modules[y * symbol.size.toInt() + x] == 1.toByte()) {
                for (dy in 0 until px) for (dx in 0 until px) {
                    luma[((y + 4) * px + dy) * stride + (x + 4) * px + dx] = 0
                }
            }
        }
        assertEquals(reply, decodeQrFrame(side.toUInt(), side.toUInt(), stride.toUInt(), luma))
    }

    @Test
    fun `garbage pixels are a typed exception, not a crash`() {
        assertThrows<TincanException.QrUnreadable> { decodeQrImage(byteArrayOf(1, 2, 3)) }
        assertThrows<TincanException.QrUnreadable> { decodeQrImage(ByteArray(0)) }
        // Claims more pixels than it carries.
        assertThrows<TincanException.QrUnreadable> { decodeQrFrame(4000u, 4000u, 4000u, ByteArray(10)) }
        // A stride shorter than a row.
        assertThrows<TincanException.QrUnreadable> { decodeQrFrame(100u, 100u, 50u, ByteArray(10_000)) }
        assertThrows<TincanException.QrUnreadable> { renderQr("", 8u) }
    }
}
