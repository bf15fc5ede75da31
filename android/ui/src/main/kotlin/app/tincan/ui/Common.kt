package app.tincan.ui

import androidx.compose.foundation.Canvas
import androidx.compose.foundation.ExperimentalFoundationApi
import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ColumnScope
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.RowScope
import androidx.compose.foundation.layout.Spacer
import androidx.compose.foundation.layout.WindowInsets
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.imePadding
import androidx.compose.foundation.layout.navigationBars
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.layout.statusBars
import androidx.compose.foundation.layout.width
import androidx.compose.foundation.layout.widthIn
import androidx.compose.foundation.layout.windowInsetsPadding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.relocation.BringIntoViewRequester
import androidx.compose.foundation.relocation.bringIntoViewRequester
import androidx.compose.foundation.shape.CircleShape
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.foundation.text.selection.SelectionContainer
import androidx.compose.foundation.verticalScroll
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.automirrored.filled.ArrowBack
import androidx.compose.material.icons.filled.Close
import androidx.compose.material.icons.filled.Share
import androidx.compose.material.icons.filled.Warning
import androidx.compose.material3.Button
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.runtime.staticCompositionLocalOf
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.focus.FocusRequester
import androidx.compose.ui.focus.focusRequester
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.geometry.Size
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.graphics.vector.ImageVector
import androidx.compose.ui.platform.LocalClipboardManager
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.AnnotatedString
import androidx.compose.ui.text.TextStyle
import androidx.compose.ui.text.style.TextAlign
import androidx.compose.ui.text.style.TextOverflow
import androidx.compose.ui.unit.Dp
import androidx.compose.ui.unit.dp
import app.tincan.ffi.Notice
import app.tincan.ffi.renderQr
import kotlin.math.floor

/** Space between blocks of a screen, and its side margins. */
internal val Gap = 16.dp

/**
 * A screen's top bar: back arrow, title, an optional subtitle line under it, actions.
 * Unlike Material's TopAppBar it grows with its text, so large fonts are not clipped.
 */
@Composable
internal fun TopBar(
    title: String,
    canGoBack: Boolean,
    onBack: () -> Unit,
    modifier: Modifier = Modifier,
    titleModifier: Modifier = Modifier,
    subtitle: @Composable (() -> Unit)? = null,
    titleTrailing: @Composable (() -> Unit)? = null,
    actions: @Composable RowScope.() -> Unit = {},
) {
    val labels = LocalLabels.current
    Surface(color = MaterialTheme.colorScheme.surfaceContainer, modifier = modifier.fillMaxWidth()) {
        Row(
            Modifier
                .windowInsetsPadding(WindowInsets.statusBars)
                .heightIn(min = 64.dp)
                .padding(horizontal = 4.dp, vertical = 6.dp),
            verticalAlignment = Alignment.CenterVertically,
        ) {
            if (canGoBack) {
                IconButton(onClick = onBack) {
                    Icon(Icons.AutoMirrored.Filled.ArrowBack, contentDescription = labels.back)
                }
            } else {
                Spacer(Modifier.width(12.dp))
            }
            Column(titleModifier.weight(1f).padding(horizontal = 4.dp)) {
                Row(verticalAlignment = Alignment.CenterVertically) {
                    Text(
                        title,
                        style = MaterialTheme.typography.titleLarge,
                        maxLines = 2,
                        overflow = TextOverflow.Ellipsis,
                        modifier = Modifier.weight(1f, fill = false).semantics { heading() },
                    )
                    titleTrailing?.let {
                        Spacer(Modifier.width(6.dp))
                        it()
                    }
                }
                subtitle?.invoke()
            }
            actions()
        }
    }
}

/** A scrolling screen body with even gaps: text wraps, nothing has a fixed height. */
@Composable
internal fun ScrollingBody(
    padding: PaddingValues,
    modifier: Modifier = Modifier,
    content: @Composable ColumnScope.() -> Unit,
) {
    Column(
        modifier
            .fillMaxSize()
            .padding(padding)
            .imePadding()
            .verticalScroll(rememberScrollState())
            .padding(Gap),
        verticalArrangement = Arrangement.spacedBy(Gap),
        content = content,
    )
}

/** A screen: [TopBar] above a body. */
@Composable
internal fun ScreenScaffold(
    topBar: @Composable () -> Unit,
    bottomBar: @Composable () -> Unit = {},
    content: @Composable (PaddingValues) -> Unit,
) {
    Scaffold(
        topBar = topBar,
        bottomBar = bottomBar,
        containerColor = MaterialTheme.colorScheme.surface,
        contentWindowInsets = WindowInsets(0.dp),
        content = content,
    )
}

/** The core's notice, above the bottom edge of every screen, until dismissed. */
@Composable
fun NoticeBar(notice: Notice, onDismiss: () -> Unit, modifier: Modifier = Modifier) {
    val labels = LocalLabels.current
    val scheme = MaterialTheme.colorScheme
    val (container, content) =
        if (notice.isError) scheme.errorContainer to scheme.onErrorContainer
        else scheme.inverseSurface to scheme.inverseOnSurface
    Surface(
        color = container,
        contentColor = content,
        shape = RoundedCornerShape(12.dp),
        shadowElevation = 3.dp,
        modifier = modifier
            .fillMaxWidth()
            .windowInsetsPadding(WindowInsets.navigationBars)
            .padding(horizontal = 12.dp, vertical = 8.dp)
            .testTag("notice"),
    ) {
        Row(
            Modifier.padding(start = 16.dp, top = 6.dp, bottom = 6.dp, end = 4.dp),
            verticalAlignment = Alignment.CenterVertically,
        ) {
            if (notice.isError) {
                Icon(Icons.Filled.Warning, contentDescription = labels.warning, modifier = Modifier.size(20.dp))
                Spacer(Modifier.width(12.dp))
            }
            Text(
                notice.text,
                style = MaterialTheme.typography.bodyMedium,
                modifier = Modifier.weight(1f).padding(vertical = 8.dp).testTag("notice-text"),
            )
            IconButton(onClick = onDismiss) {
                Icon(Icons.Filled.Close, contentDescription = labels.dismiss)
            }
        }
    }
}

/**
 * A QR code of [payload], drawn module by module from the core's symbol (dark on white
 * in both themes, with the quiet zone), as large as [maxSize] allows.
 */
@Composable
fun QrCode(payload: String, modifier: Modifier = Modifier, maxSize: Dp = 280.dp) {
    if (payload.isEmpty()) return
    val symbol = remember(payload) { runCatching { renderQr(payload, 1u) }.getOrNull() } ?: return
    val labels = LocalLabels.current
    val colors = LocalTincanColors.current
    val side = symbol.size.toInt()
    val modules = symbol.modules
    Canvas(
        modifier
            .widthIn(max = maxSize)
            .fillMaxWidth()
            .aspectRatio(1f)
            .background(colors.qrLight, RoundedCornerShape(8.dp))
            .semantics { contentDescription = labels.qrCode },
    ) {
        val total = side + 2 * QUIET_ZONE
        // Whole pixels per module: no seams between rows, sharp for any camera.
        val cell = floor(size.minDimension / total).coerceAtLeast(1f)
        val origin = floor((size.minDimension - cell * side) / 2)
        for (y in 0 until side) {
            var x = 0
            while (x < side) {
                if (modules[y * side + x].toInt() == 0) {
                    x++
                    continue
                }
                val start = x
                while (x < side && modules[y * side + x].toInt() != 0) x++
                drawRect(
                    colors.qrDark,
                    topLeft = Offset(origin + start * cell, origin + y * cell),
                    size = Size((x - start) * cell, cell),
                )
            }
        }
    }
}

private const val QUIET_ZONE = 4

/** A code to read or copy: monospace, selectable, on a tinted panel. */
@Composable
internal fun CodeBlock(label: String, code: String, tag: String, modifier: Modifier = Modifier) {
    Column(modifier.fillMaxWidth(), verticalArrangement = Arrangement.spacedBy(6.dp)) {
        SectionLabel(label)
        Surface(
            color = MaterialTheme.colorScheme.surfaceContainerHigh,
            shape = RoundedCornerShape(8.dp),
            modifier = Modifier.fillMaxWidth(),
        ) {
            SelectionContainer {
                Text(
                    code,
                    style = MonoStyle,
                    color = MaterialTheme.colorScheme.onSurface,
                    modifier = Modifier.padding(12.dp).testTag(tag),
                )
            }
        }
    }
}

/** A small heading above a block. */
@Composable
internal fun SectionLabel(text: String, modifier: Modifier = Modifier) {
    Text(
        text,
        style = MaterialTheme.typography.labelLarge,
        color = MaterialTheme.colorScheme.primary,
        modifier = modifier.semantics { heading() },
    )
}

/** "Share" (the platform's share sheet) and "Copy" for a code's share line. */
@Composable
internal fun ShareRow(shareText: String, onShare: (String) -> Unit, modifier: Modifier = Modifier) {
    val labels = LocalLabels.current
    val clipboard = LocalClipboardManager.current
    Row(modifier.fillMaxWidth(), horizontalArrangement = Arrangement.spacedBy(12.dp)) {
        Button(onClick = { onShare(shareText) }, modifier = Modifier.weight(1f)) {
            Icon(Icons.Filled.Share, contentDescription = null, modifier = Modifier.size(18.dp))
            Spacer(Modifier.width(8.dp))
            Text(labels.share)
        }
        OutlinedButton(
            onClick = { runCatching { clipboard.setText(AnnotatedString(shareText)) } },
            modifier = Modifier.weight(1f),
        ) {
            Icon(TincanIcons.ContentCopy, contentDescription = null, modifier = Modifier.size(18.dp))
            Spacer(Modifier.width(8.dp))
            Text(labels.copy)
        }
    }
}

/** A problem with the input, in the error colour, with a warning sign. */
@Composable
internal fun ErrorText(text: String, modifier: Modifier = Modifier) {
    Row(modifier, verticalAlignment = Alignment.Top) {
        Icon(
            Icons.Filled.Warning,
            contentDescription = LocalLabels.current.warning,
            tint = MaterialTheme.colorScheme.error,
            modifier = Modifier.padding(top = 2.dp).size(18.dp),
        )
        Spacer(Modifier.width(8.dp))
        Text(text, color = MaterialTheme.colorScheme.error, style = MaterialTheme.typography.bodyMedium)
    }
}

/**
 * Whether the person asked for less motion (Android: animator duration scale 0): busy
 * indicators then stand still. Screenshot tests set it too, so renders are repeatable.
 */
val LocalReduceMotion = staticCompositionLocalOf { false }

/** Something is being worked on: a spinner above the core's words for it. */
@Composable
internal fun Working(text: String, modifier: Modifier = Modifier) {
    val label = LocalLabels.current.working
    val scheme = MaterialTheme.colorScheme
    Surface(
        color = scheme.surfaceContainerLow,
        shape = RoundedCornerShape(16.dp),
        modifier = modifier.fillMaxWidth(),
    ) {
        Column(
            Modifier.padding(horizontal = Gap, vertical = 32.dp),
            horizontalAlignment = Alignment.CenterHorizontally,
            verticalArrangement = Arrangement.spacedBy(20.dp),
        ) {
            val busy = Modifier.size(48.dp).semantics { contentDescription = label }
            if (LocalReduceMotion.current) {
                Box(busy.background(scheme.primaryContainer, CircleShape), contentAlignment = Alignment.Center) {
                    Icon(TincanIcons.Hourglass, contentDescription = null, tint = scheme.onPrimaryContainer)
                }
            } else {
                CircularProgressIndicator(
                    busy,
                    strokeWidth = 4.dp,
                    trackColor = scheme.primaryContainer,
                )
            }
            Text(text, style = MaterialTheme.typography.bodyLarge, textAlign = TextAlign.Center)
        }
    }
}

/** A coloured dot for a connection state. */
@Composable
internal fun Dot(color: Color, modifier: Modifier = Modifier, size: Dp = 10.dp) {
    Box(modifier.size(size).background(color, CircleShape))
}

/** An icon inside a tinted circle (empty states, list avatars). */
@Composable
internal fun RoundIcon(icon: ImageVector, container: Color, content: Color, size: Dp, modifier: Modifier = Modifier) {
    Box(modifier.size(size).background(container, CircleShape), contentAlignment = Alignment.Center) {
        Icon(icon, contentDescription = null, tint = content, modifier = Modifier.size(size * 0.5f))
    }
}

/**
 * A field to paste a code (or the whole message it came in) and open it: its text goes
 * to the core as `Received(text, PASTE)` through [onOpen]. A button fills it from the
 * clipboard, since long-pressing a field is fiddly.
 */
@OptIn(ExperimentalFoundationApi::class)
@Composable
internal fun PastePanel(onOpen: (String) -> Unit, onClose: () -> Unit, modifier: Modifier = Modifier) {
    val labels = LocalLabels.current
    val clipboard = LocalClipboardManager.current
    var text by remember { mutableStateOf("") }
    // Opened by a tap elsewhere: come into view with the field ready for the keyboard.
    val inView = remember { BringIntoViewRequester() }
    val focus = remember { FocusRequester() }
    LaunchedEffect(Unit) {
        runCatching { focus.requestFocus() }
        inView.bringIntoView()
    }
    Surface(
        color = MaterialTheme.colorScheme.surfaceContainerHigh,
        shape = RoundedCornerShape(16.dp),
        modifier = modifier.fillMaxWidth().bringIntoViewRequester(inView).testTag("paste-panel"),
    ) {
        Column(Modifier.padding(Gap), verticalArrangement = Arrangement.spacedBy(12.dp)) {
            OutlinedTextField(
                value = text,
                onValueChange = { text = it },
                label = { Text(labels.pasteFieldLabel) },
                minLines = 2,
                maxLines = 5,
                textStyle = MonoStyle,
                trailingIcon = {
                    IconButton(onClick = {
                        runCatching { clipboard.getText()?.text }.getOrNull()?.let { text = it }
                    }) {
                        Icon(TincanIcons.ContentPaste, contentDescription = labels.pasteFromClipboard)
                    }
                },
                modifier = Modifier.fillMaxWidth().focusRequester(focus).testTag("paste-field"),
            )
            Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.spacedBy(12.dp, Alignment.End)) {
                TextButton(onClick = onClose) { Text(labels.cancel) }
                Button(
                    onClick = {
                        onOpen(text)
                        text = ""
                    },
                    enabled = text.isNotBlank(),
                ) { Text(labels.open) }
            }
        }
    }
}

/** A connection state in words after its coloured dot (sitting on the first line). */
@Composable
internal fun StatusLine(
    text: String,
    color: Color,
    modifier: Modifier = Modifier,
    style: TextStyle = MaterialTheme.typography.labelMedium,
    textModifier: Modifier = Modifier,
) {
    Row(modifier) {
        Dot(color, Modifier.alignBy { it.measuredHeight }, size = 8.dp)
        Spacer(Modifier.width(6.dp))
        Text(
            text,
            style = style,
            color = MaterialTheme.colorScheme.onSurfaceVariant,
            modifier = textModifier.alignByBaseline(),
        )
    }
}
