package app.tincan.ui.screenshot

import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.ui.ImageComposeScene
import androidx.compose.ui.InternalComposeUiApi
import androidx.compose.ui.LocalSystemTheme
import androidx.compose.ui.SystemTheme
import androidx.compose.ui.unit.Density
import androidx.compose.ui.use
import org.jetbrains.skia.EncodedImageFormat
import org.jetbrains.skia.FontMgr
import java.awt.image.BufferedImage
import java.io.ByteArrayInputStream
import java.io.File
import javax.imageio.ImageIO
import kotlin.math.abs
import kotlin.math.roundToInt

/*
 * Screenshot tests for Compose screens, rendered headless by Skia on the desktop JVM
 * (no display, no Xvfb) and compared with the PNGs committed in android/ui/screenshots.
 *
 *   @Test fun chatList() = snapshot("chat-list") { TincanTheme { ChatList(...) } }
 *
 * Record or refresh the committed files, then look at them and commit them:
 *   cd android/ui && mvn -B -o test -Dscreenshots.update=true [-Dtest=SomeTest]
 *
 * Text is drawn with the system's fonts: Compose desktop's sans-serif is "Noto Sans" if
 * installed, else "DejaVu Sans" (Debian fonts-dejavu-core). The committed PNGs were
 * recorded with DejaVu Sans and no Noto; installing fonts-noto-core changes every text
 * pixel (and so does another FreeType version), unless the theme bundles its own font.
 */

/** Pixels per dp: phone-like (xhdpi) while keeping PNGs small. */
const val SNAPSHOT_DENSITY = 2f

/** A colour channel may differ by this much (of 255) and still count as the same. */
const val CHANNEL_TOLERANCE = 8

/** At most this fraction of the pixels (but at least [MIN_DIFFERING_PIXELS]) may differ. */
const val MAX_DIFFERING_FRACTION = 0.00002

/** Stray pixels always allowed: a changed character differs in far more pixels. */
const val MIN_DIFFERING_PIXELS = 8

private val NAME = Regex("[a-z0-9][a-z0-9._-]*")

private fun dirProperty(key: String, default: String) = File(System.getProperty(key) ?: default)

/** Where the committed screenshots live (surefire passes the absolute path). */
val screenshotsDir: File get() = dirProperty("screenshots.dir", "screenshots")

/** Where a mismatching render and its diff image are written. */
val screenshotsActualDir: File get() = dirProperty("screenshots.actualDir", "target/screenshots-actual")

/** `-Dscreenshots.update=true`: write missing or changed screenshots instead of failing. */
val updateScreenshots: Boolean get() = System.getProperty("screenshots.update").toBoolean()

/**
 * Renders [content] on a [widthDp]×[heightDp] phone screen at [SNAPSHOT_DENSITY] and
 * returns the PNG bytes. [dark] makes `isSystemInDarkTheme()` true; [fontScale] is the
 * user's font size setting (it scales `sp`, not `dp`).
 */
@OptIn(InternalComposeUiApi::class)
fun renderPng(
    widthDp: Int = 360,
    heightDp: Int = 760,
    dark: Boolean = false,
    fontScale: Float = 1f,
    content: @Composable () -> Unit,
): ByteArray {
    val scene = ImageComposeScene(
        width = (widthDp * SNAPSHOT_DENSITY).roundToInt(),
        height = (heightDp * SNAPSHOT_DENSITY).roundToInt(),
        density = Density(SNAPSHOT_DENSITY, fontScale),
    )
    return scene.use {
        it.setContent {
            CompositionLocalProvider(
                LocalSystemTheme provides if (dark) SystemTheme.Dark else SystemTheme.Light,
                content = content,
            )
        }
        // The frame clock only moves when told: a first frame starts animations, a frame
        // 10 s later ends every finite one (infinite ones freeze at that instant), and a
        // last one draws whatever state the effects of the previous frames changed.
        it.render(0L)
        it.render(SETTLE_NANOS)
        val image = it.render(SETTLE_NANOS + FRAME_NANOS)
        val data = image.encodeToData(EncodedImageFormat.PNG)
            ?: error("Skia could not encode the render as PNG")
        data.bytes
    }
}

private const val FRAME_NANOS = 16_000_000L
private const val SETTLE_NANOS = 10_000_000_000L

/** How two renders differ. */
data class ImageDiff(
    val sameSize: Boolean,
    val differingPixels: Int,
    val totalPixels: Int,
    /** Largest channel difference seen (0–255). */
    val maxChannelDelta: Int,
    /** Differing pixels in red over a faded copy of the expected image (null if sizes differ). */
    val diffImage: BufferedImage?,
) {
    val allowedPixels: Int get() = maxOf(MIN_DIFFERING_PIXELS, (totalPixels * MAX_DIFFERING_FRACTION).toInt())
    val matches: Boolean get() = sameSize && differingPixels <= allowedPixels

    override fun toString(): String =
        if (!sameSize) "the sizes differ" else
            "$differingPixels of $totalPixels pixels differ by more than $CHANNEL_TOLERANCE " +
                "(allowed: $allowedPixels; largest channel difference $maxChannelDelta)"
}

private fun decode(png: ByteArray): BufferedImage =
    ImageIO.read(ByteArrayInputStream(png)) ?: error("not a PNG image")

/** Compares two PNGs pixel by pixel, with [CHANNEL_TOLERANCE] per colour channel. */
fun comparePngs(expected: ByteArray, actual: ByteArray): ImageDiff {
    val a = decode(expected)
    val b = decode(actual)
    if (a.width != b.width || a.height != b.height) {
        return ImageDiff(false, a.width * a.height, a.width * a.height, 255, null)
    }
    val w = a.width
    val h = a.height
    val pa = a.getRGB(0, 0, w, h, null, 0, w)
    val pb = b.getRGB(0, 0, w, h, null, 0, w)
    val diff = BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB)
    val out = IntArray(w * h)
    var differing = 0
    var maxDelta = 0
    for (i in pa.indices) {
        var delta = 0
        for (shift in intArrayOf(24, 16, 8, 0)) {
            delta = maxOf(delta, abs(((pa[i] ushr shift) and 0xff) - ((pb[i] ushr shift) and 0xff)))
        }
        maxDelta = maxOf(maxDelta, delta)
        out[i] = if (delta > CHANNEL_TOLERANCE) {
            differing++
            0xffff0000.toInt()
        } else {
            // Faded grey of the expected pixel, so the red stands out in context.
            val c = pa[i]
            val grey = (((c shr 16) and 0xff) + ((c shr 8) and 0xff) + (c and 0xff)) / 3
            val faded = 255 - (255 - grey) / 4
            (0xff shl 24) or (faded shl 16) or (faded shl 8) or faded
        }
    }
    diff.setRGB(0, 0, w, h, out, 0, w)
    return ImageDiff(true, differing, w * h, maxDelta, diff)
}

/**
 * Renders [content] (see [renderPng]) and checks it against the committed
 * `android/ui/screenshots/<name>.png`. A missing file fails unless
 * `-Dscreenshots.update=true`, which writes it; a mismatch fails (or, when updating,
 * rewrites the committed file) and leaves the fresh render and a diff image in
 * `android/ui/target/screenshots-actual/`.
 */
fun snapshot(
    name: String,
    widthDp: Int = 360,
    heightDp: Int = 760,
    dark: Boolean = false,
    fontScale: Float = 1f,
    content: @Composable () -> Unit,
) {
    require(NAME.matches(name)) { "screenshot name '$name' must match ${NAME.pattern}" }
    val png = renderPng(widthDp, heightDp, dark, fontScale, content)
    val committed = File(screenshotsDir, "$name.png")
    val actual = File(screenshotsActualDir, "$name.png")
    val diffFile = File(screenshotsActualDir, "$name.diff.png")
    actual.delete()
    diffFile.delete()

    if (!committed.isFile) {
        if (updateScreenshots) {
            write(committed, png)
            return
        }
        write(actual, png)
        throw AssertionError(
            "no committed screenshot ${committed.path}; the render is in ${actual.path}. " +
                "Record it with: cd android/ui && mvn -B -o test -Dscreenshots.update=true, " +
                "look at the PNG, and commit it.",
        )
    }
    val diff = comparePngs(committed.readBytes(), png)
    if (diff.matches) return
    if (updateScreenshots) {
        write(committed, png)
        return
    }
    write(actual, png)
    diff.diffImage?.let { ImageIO.write(it, "png", diffFile) }
    throw AssertionError(
        "screenshot '$name' does not match ${committed.path}: $diff. The fresh render is " +
            "${actual.path}" + (if (diff.diffImage != null) ", the differences in red ${diffFile.path}" else "") +
            ". If the change is intended, rerun with -Dscreenshots.update=true and commit the PNG. " +
            fontNote(),
    )
}

private fun write(file: File, bytes: ByteArray) {
    file.parentFile.mkdirs()
    file.writeBytes(bytes)
}

/** The committed PNGs assume DejaVu Sans; say so if this machine would pick another font. */
private fun fontNote(): String {
    val noto = FontMgr.default.matchFamily("Noto Sans").count() > 0
    val dejavu = FontMgr.default.matchFamily("DejaVu Sans").count() > 0
    return when {
        noto -> "(This machine has Noto Sans, which Compose prefers over the DejaVu Sans the " +
            "screenshots were recorded with: every text pixel differs.)"
        !dejavu -> "(This machine lacks DejaVu Sans, which the screenshots were recorded with: " +
            "install Debian fonts-dejavu-core.)"
        else -> ""
    }
}
