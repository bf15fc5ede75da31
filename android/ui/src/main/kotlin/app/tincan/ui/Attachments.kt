package app.tincan.ui

import androidx.compose.foundation.Image
import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.Spacer
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.layout.width
import androidx.compose.foundation.layout.widthIn
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.material3.Button
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Surface
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Close
import androidx.compose.runtime.Composable
import androidx.compose.material3.DropdownMenu
import androidx.compose.material3.DropdownMenuItem
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.runtime.staticCompositionLocalOf
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.draw.clip
import androidx.compose.ui.graphics.ImageBitmap
import androidx.compose.ui.layout.ContentScale
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.style.TextOverflow
import androidx.compose.ui.unit.dp
import app.tincan.ffi.Action
import app.tincan.ffi.AttachmentState
import app.tincan.ffi.AttachmentView
import app.tincan.ffi.PickedFileView

/**
 * Turns a photo preview's JPEG bytes into an image (Android: `BitmapFactory`; the
 * desktop tests: Skia). Null draws the photo icon instead: a preview the platform
 * cannot read is not worth an error.
 */
val LocalImageDecoder = staticCompositionLocalOf<(ByteArray) -> ImageBitmap?> { { null } }

/**
 * A file or photo inside a message bubble: the preview (photos), the name and the
 * core's status line, a progress bar while bytes move, and the buttons the core allows:
 * Accept / Decline for a large offer, Decline while downloading, Open once received.
 */
@OptIn(ExperimentalLayoutApi::class)
@Composable
internal fun AttachmentPart(
    attachment: AttachmentView,
    onAction: (Action) -> Unit,
    onOpenFile: (AttachmentView) -> Unit,
) {
    val labels = LocalLabels.current
    val decode = LocalImageDecoder.current
    val preview = remember(attachment.previewJpeg) { attachment.previewJpeg?.let { runCatching { decode(it) }.getOrNull() } }
    // A received photo is opened by tapping it, as in any chat; its name says little.
    val tapToOpen = preview != null && attachment.canOpen
    Column(Modifier.widthIn(max = 280.dp).testTag("attachment"), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        if (preview != null) {
            Image(
                preview,
                contentDescription = labels.photo,
                contentScale = ContentScale.Crop,
                modifier = Modifier
                    .fillMaxWidth()
                    .aspectRatio((preview.width.toFloat() / preview.height.coerceAtLeast(1)).coerceIn(0.6f, 1.8f))
                    .clip(RoundedCornerShape(12.dp))
                    .then(
                        if (tapToOpen) {
                            Modifier.clickable(role = Role.Image, onClickLabel = labels.openFile) { onOpenFile(attachment) }
                        } else Modifier,
                    )
                    .testTag("attachment-preview"),
            )
        }
        if (!tapToOpen) Row(verticalAlignment = Alignment.CenterVertically) {
            if (preview == null) {
                Icon(
                    if (attachment.isPhoto) TincanIcons.Image else TincanIcons.InsertDriveFile,
                    contentDescription = if (attachment.isPhoto) labels.photo else labels.file,
                    modifier = Modifier.size(36.dp),
                )
                Spacer(Modifier.width(10.dp))
            }
            Column(Modifier.weight(1f, fill = false)) {
                Text(
                    attachment.name,
                    style = MaterialTheme.typography.titleSmall,
                    maxLines = 2,
                    overflow = TextOverflow.Ellipsis,
                    modifier = Modifier.testTag("attachment-name"),
                )
                Text(
                    attachment.status,
                    style = MaterialTheme.typography.bodySmall,
                    color = if (attachment.state == AttachmentState.FAILED) MaterialTheme.colorScheme.error else androidx.compose.ui.graphics.Color.Unspecified,
                    modifier = Modifier.testTag("attachment-status"),
                )
            }
        }
        if (attachment.state == AttachmentState.TRANSFERRING) {
            LinearProgressIndicator(
                progress = { attachment.progressPercent.toInt() / 100f },
                modifier = Modifier
                    .fillMaxWidth()
                    .semantics { contentDescription = attachment.status }
                    .testTag("attachment-progress"),
            )
        }
        if (attachment.canAccept || attachment.canDecline || (attachment.canOpen && !tapToOpen)) {
            // Buttons wrap to a second line rather than squeeze (large fonts).
            FlowRow(
                Modifier.align(Alignment.End),
                horizontalArrangement = Arrangement.spacedBy(8.dp, Alignment.End),
                verticalArrangement = Arrangement.spacedBy(4.dp),
            ) {
                if (attachment.canDecline) {
                    TextButton(onClick = { onAction(Action.DeclineFile(attachment.id)) }) { Text(labels.decline) }
                }
                if (attachment.canAccept) {
                    Button(onClick = { onAction(Action.AcceptFile(attachment.id)) }) { Text(labels.accept) }
                }
                if (attachment.canOpen && !tapToOpen) {
                    OutlinedButton(onClick = { onOpenFile(attachment) }) { Text(labels.openFile) }
                }
            }
        }
    }
}

/** What the attach button's menu asked the platform for. */
enum class PickKind {
    /** The system photo picker (Android: `PickVisualMedia`). */
    PHOTO,

    /** Any file (Android: `GetContent` for any type). */
    FILE,
}

/** The paper clip: a menu of a photo or any file; the platform's picker does the rest. */
@Composable
internal fun AttachButton(onPickFile: (PickKind) -> Unit) {
    val labels = LocalLabels.current
    var open by remember { mutableStateOf(false) }
    Box {
        IconButton(onClick = { open = true }, modifier = Modifier.testTag("attach")) {
            Icon(TincanIcons.AttachFile, contentDescription = labels.attach)
        }
        DropdownMenu(expanded = open, onDismissRequest = { open = false }) {
            DropdownMenuItem(
                text = { Text(labels.photo) },
                leadingIcon = { Icon(TincanIcons.Image, contentDescription = null) },
                onClick = {
                    open = false
                    onPickFile(PickKind.PHOTO)
                },
            )
            DropdownMenuItem(
                text = { Text(labels.file) },
                leadingIcon = { Icon(TincanIcons.InsertDriveFile, contentDescription = null) },
                onClick = {
                    open = false
                    onPickFile(PickKind.FILE)
                },
            )
        }
    }
}

/**
 * The picked file above the composer: its name and size, for a photo the core's note on
 * location and camera details with the switch to keep them, and Send.
 */
@Composable
internal fun PickedPanel(picked: PickedFileView, onAction: (Action) -> Unit) {
    val labels = LocalLabels.current
    Surface(
        color = MaterialTheme.colorScheme.secondaryContainer,
        contentColor = MaterialTheme.colorScheme.onSecondaryContainer,
        shape = RoundedCornerShape(16.dp),
        modifier = Modifier.fillMaxWidth().padding(horizontal = 8.dp, vertical = 4.dp).testTag("picked"),
    ) {
        Column(Modifier.padding(start = 12.dp, end = 4.dp, top = 4.dp, bottom = 8.dp)) {
            Row(verticalAlignment = Alignment.CenterVertically) {
                Icon(
                    if (picked.isPhoto) TincanIcons.Image else TincanIcons.InsertDriveFile,
                    contentDescription = null,
                    modifier = Modifier.size(24.dp),
                )
                Spacer(Modifier.width(10.dp))
                Column(Modifier.weight(1f)) {
                    Text(picked.name, style = MaterialTheme.typography.titleSmall, maxLines = 1, overflow = TextOverflow.Ellipsis)
                    Text(picked.sizeText, style = MaterialTheme.typography.bodySmall)
                }
                IconButton(onClick = { onAction(Action.CancelPicked) }) {
                    Icon(Icons.Filled.Close, contentDescription = labels.cancel)
                }
            }
            if (picked.isPhoto) {
                Text(
                    picked.metadataNote,
                    style = MaterialTheme.typography.bodySmall,
                    modifier = Modifier.padding(top = 4.dp, end = 8.dp).testTag("metadata-note"),
                )
                Row(verticalAlignment = Alignment.CenterVertically, modifier = Modifier.padding(end = 8.dp)) {
                    Text(picked.keepMetadataLabel, style = MaterialTheme.typography.bodyMedium, modifier = Modifier.weight(1f))
                    Switch(
                        checked = picked.keepMetadata,
                        onCheckedChange = { onAction(Action.KeepMetadata(it)) },
                        modifier = Modifier.testTag("keep-metadata"),
                    )
                }
            }
            Box(Modifier.fillMaxWidth().padding(top = 4.dp, end = 8.dp), contentAlignment = Alignment.CenterEnd) {
                Button(onClick = { onAction(Action.SendPicked) }, modifier = Modifier.heightIn(min = 40.dp)) {
                    Text(picked.sendLabel)
                }
            }
        }
    }
}
