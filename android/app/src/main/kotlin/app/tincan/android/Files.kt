package app.tincan.android

import android.content.ActivityNotFoundException
import android.content.Context
import android.content.Intent
import android.graphics.BitmapFactory
import android.net.Uri
import android.provider.OpenableColumns
import androidx.compose.ui.graphics.ImageBitmap
import androidx.compose.ui.graphics.asImageBitmap
import androidx.core.content.FileProvider
import app.tincan.ffi.AttachmentView
import java.io.File
import java.util.UUID

/**
 * Files and photos on Android's side: the picked item copied where the core can read
 * it for as long as the transfer lasts, a received file handed to the system viewer,
 * and photo previews decoded for the `ui` module.
 */
object Files {
    /**
     * Copies what a picker returned into `cache/picked/<uuid>/<its name>`: a content URI
     * stops being readable when the activity goes, the core reads the file later (when
     * the other phone asks for its bytes). Runs on an IO thread. Null if it cannot be read.
     */
    fun copyToCache(context: Context, uri: Uri): File? = try {
        val name = displayName(context, uri)
        val dir = File(context.cacheDir, "picked/${UUID.randomUUID()}").apply { mkdirs() }
        val target = File(dir, name)
        context.contentResolver.openInputStream(uri)?.use { input ->
            target.outputStream().use { input.copyTo(it) }
        } ?: return null
        target
    } catch (e: Exception) {
        null
    }

    /** The name the other person sees: the provider's display name, made a plain file name. */
    private fun displayName(context: Context, uri: Uri): String {
        val shown = context.contentResolver.query(uri, arrayOf(OpenableColumns.DISPLAY_NAME), null, null, null)?.use {
            if (it.moveToFirst()) it.getString(0) else null
        }
        return shown?.substringAfterLast('/')?.takeIf { it.isNotBlank() && it != "." && it != ".." } ?: "file"
    }

    /**
     * Opens a received file (in `<filesDir>/files/received/`, res/xml/file_paths.xml)
     * with the app the person chose for its type. False when no app can show it.
     */
    fun open(context: Context, attachment: AttachmentView): Boolean {
        val uri = FileProvider.getUriForFile(context, "${context.packageName}.files", File(attachment.path))
        val view = Intent(Intent.ACTION_VIEW)
            .setDataAndType(uri, attachment.mime.ifEmpty { "application/octet-stream" })
            .addFlags(Intent.FLAG_GRANT_READ_URI_PERMISSION)
        return try {
            context.startActivity(Intent.createChooser(view, attachment.name))
            true
        } catch (e: ActivityNotFoundException) {
            false
        }
    }

    /** A preview's JPEG bytes as an image (null for bytes Android cannot decode). */
    val decodeImage: (ByteArray) -> ImageBitmap? = { bytes ->
        BitmapFactory.decodeByteArray(bytes, 0, bytes.size)?.asImageBitmap()
    }
}
