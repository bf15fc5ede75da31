package app.tincan.android

import android.content.ClipData
import android.content.Context
import android.content.Intent
import android.net.Uri
import androidx.core.content.FileProvider
import app.tincan.ffi.AppView
import app.tincan.ffi.Screen
import app.tincan.ffi.imageByteLimit
import app.tincan.ffi.renderQr
import java.io.ByteArrayOutputStream
import java.io.File
import java.io.InputStream

/** Codes out through the share sheet, pictures in through the ContentResolver. */
object Share {
    /** Shared pictures larger than this are not read (a QR screenshot is far smaller). */

    /** The one line (what to do, then the code) as text: every messenger takes it. */
    fun textIntent(text: String): Intent = Intent(Intent.ACTION_SEND)
        .setType("text/plain")
        .putExtra(Intent.EXTRA_TEXT, text)

    /**
     * The same line with the code's QR as a PNG (the core draws it; 16 px a module so
     * a messenger's recompression keeps it readable), through a content URI of this
     * app's FileProvider (res/xml/file_paths.xml). Null when the line has no QR.
     */
    fun qrPictureIntent(context: Context, view: AppView, text: String): Intent? {
        val payload = qrPayloadFor(view, text) ?: return null
        val file = File(context.cacheDir, "shared/tincan-code.png")
        val uri = try {
            file.parentFile?.mkdirs()
            file.writeBytes(renderQr(payload, 16u).png)
            FileProvider.getUriForFile(context, "${context.packageName}.files", file)
        } catch (e: Exception) {
            return null // the core could not draw it, or the cache is full
        }
        return Intent(Intent.ACTION_SEND)
            .setType("image/png")
            .putExtra(Intent.EXTRA_STREAM, uri)
            .putExtra(Intent.EXTRA_TEXT, text)
            // ClipData carries the read grant to whichever app is chosen.
            .apply { clipData = ClipData.newRawUri("", uri) }
            .addFlags(Intent.FLAG_GRANT_READ_URI_PERMISSION)
    }

    /** Whether [text] has a QR picture to send too. */
    fun hasQrPicture(view: AppView, text: String): Boolean = qrPayloadFor(view, text) != null

    // The screens hand the shell only the line; its QR payload is the one beside it
    // in the same view (invite and reply; a follow-up code has none).
    private fun qrPayloadFor(view: AppView, text: String): String? = when (val screen = view.screen) {
        is Screen.Invite -> screen.view.qrPayload.takeIf { screen.view.shareText == text }
        is Screen.Join -> screen.view.qrPayload.takeIf { screen.view.shareText == text }
        else -> null
    }?.takeIf { it.isNotEmpty() }

    /**
     * The bytes of a shared or picked picture, at most one byte past the core's limit
     * (so the core can say "too large"); empty when it cannot be read (the core says so).
     */
    fun readImage(context: Context, uri: Uri): ByteArray = try {
        context.contentResolver.openInputStream(uri)?.use { readAtMost(it, imageByteLimit().toInt() + 1) }
    } catch (e: Exception) {
        null // gone, no permission, not a file
    } ?: ByteArray(0)

    private fun readAtMost(input: InputStream, limit: Int): ByteArray {
        val out = ByteArrayOutputStream()
        val buffer = ByteArray(64 * 1024)
        while (true) {
            val n = input.read(buffer)
            if (n < 0) return out.toByteArray()
            val take = minOf(n, limit - out.size())
            out.write(buffer, 0, take)
            if (out.size() >= limit) return out.toByteArray()
        }
    }
}
