// The app model through the bindings, as the phone apps drive it: two AppModels in
// one JVM, views awaited from the suspend update stream (collected the way the
// Android state holder does), actions dispatched off the caller's thread.
package app.tincan.ffi

import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import kotlin.test.fail
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Test

class AppModelTest {
    private val phones = AppPhones()

    @AfterEach
    fun closeEverything() = phones.close()

    private fun AppView.ticks(text: String): Delivery? =
        chat()?.items?.filterIsInstance<ConversationItem.Message>()?.firstOrNull { it.text == text }?.delivery

    @Test
    fun anaInvitesBenAnswersTheyChatAndSeeTheTicks() {
        val ana = phones.open("Ana")
        val ben = phones.open("Ben")

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
        val ana = phones.open("Ana")
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

    private fun AppView.attachment(name: String): AttachmentView? =
        chat()?.items?.filterIsInstance<ConversationItem.Message>()?.firstNotNullOfOrNull { m ->
            m.attachment?.takeIf { it.name == name }
        }

    /** A 400×300 JPEG, as a phone camera's would be (smaller). */
    private fun jpeg(file: File): File {
        val img = java.awt.image.BufferedImage(400, 300, java.awt.image.BufferedImage.TYPE_INT_RGB)
        for (y in 0 until 300) for (x in 0 until 400) img.setRGB(x, y, (x shl 16) or (y shl 8) or 90)
        javax.imageio.ImageIO.write(img, "jpg", file)
        return file
    }

    @Test
    fun aPhotoArrivesWithItsPreviewAndOpensFromItsPath() {
        val ana = phones.open("Ana")
        val ben = phones.open("Ben")
        connect(ana, ben)

        val photo = jpeg(File(ana.dir, "garden.jpg"))
        ana.tap(Action.PickFile(path = photo.path))
        val picked = ana.view.chat()?.picked ?: fail("nothing picked: ${ana.view.notice}")
        assertTrue(picked.isPhoto)
        assertEquals("Send photo", picked.sendLabel)
        assertTrue(picked.metadataNote.contains("removed"), picked.metadataNote)
        assertEquals(false, picked.keepMetadata)
        ana.tap(Action.SendPicked)
        assertEquals(null, ana.view.chat()?.picked)

        val v = ben.waitFor("the photo complete on Ben's screen") {
            it.attachment("garden.jpg")?.state == AttachmentState.COMPLETE
        }
        val got = v.attachment("garden.jpg")!!
        assertTrue(got.isPhoto && got.canOpen && !got.canAccept)
        assertEquals(100u, got.progressPercent)
        val preview = got.previewJpeg ?: fail("no preview")
        assertEquals(0xFF.toByte(), preview[0])
        assertEquals(0xD8.toByte(), preview[1])
        // Stripping removes metadata without touching the pixels: same picture.
        val received = javax.imageio.ImageIO.read(File(got.path)) ?: fail("not a picture at ${got.path}")
        assertEquals(400, received.width)
        assertEquals(300, received.height)
        assertEquals("📷 Photo", v.conversations.single().preview)
        ana.waitFor("the photo counted as sent") { it.attachment("garden.jpg")?.status?.endsWith("· Sent") == true }
    }

    @Test
    fun aLargeFileWaitsForBensYesAndArrivesIntact() {
        val ana = phones.open("Ana")
        val ben = phones.open("Ben", autoAcceptBytes = 200_000u)
        connect(ana, ben)

        val content = ByteArray(1_500_000) { (it * 13 % 251).toByte() }
        val file = File(ana.dir, "minutes.bin").apply { writeBytes(content) }
        ana.tap(Action.PickFile(path = file.path))
        assertEquals("Send file", ana.view.chat()?.picked?.sendLabel)
        assertEquals("", ana.view.chat()?.picked?.metadataNote)
        ana.tap(Action.SendPicked)

        val offer = ben.waitFor("the offer") { it.attachment("minutes.bin")?.state == AttachmentState.NEEDS_ANSWER }
            .attachment("minutes.bin")!!
        assertEquals("1.5 MB · Download it?", offer.status)
        assertTrue(offer.canAccept && offer.canDecline && !offer.canOpen)
        assertEquals("", offer.path)

        ben.tap(Action.AcceptFile(id = offer.id))
        val done = ben.waitFor("the file complete") { it.attachment("minutes.bin")?.state == AttachmentState.COMPLETE }
            .attachment("minutes.bin")!!
        assertTrue(done.canOpen)
        assertTrue(File(done.path).readBytes().contentEquals(content), "the file arrived changed")
        ana.waitFor("Ana sees it sent") { it.attachment("minutes.bin")?.status == "1.5 MB · Sent" }
    }
}
