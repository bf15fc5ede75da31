package app.tincan.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.Spacer
import androidx.compose.foundation.layout.WindowInsets
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.IntrinsicSize
import androidx.compose.foundation.layout.fillMaxHeight
import androidx.compose.foundation.layout.height
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.imePadding
import androidx.compose.foundation.layout.navigationBars
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.layout.width
import androidx.compose.foundation.layout.windowInsetsPadding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.shape.CircleShape
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.foundation.verticalScroll
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Settings
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.vector.ImageVector
import androidx.compose.ui.platform.LocalDensity
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.text.style.TextAlign
import androidx.compose.ui.text.style.TextOverflow
import androidx.compose.ui.unit.dp
import kotlin.math.min
import app.tincan.ffi.Action
import app.tincan.ffi.ConversationRow
import app.tincan.ffi.IntroductionRow
import app.tincan.ffi.RoomRow
import app.tincan.ffi.RowKind
import app.tincan.ffi.ScanPurpose
import app.tincan.ffi.Source

/**
 * The conversation list: introductions waiting for an answer, the group rooms (with
 * "New room"), then chats (newest first), invites waiting for a reply, replies waiting
 * for their inviter; and the three ways to start: Invite, Paste a code, Scan.
 */
@Composable
fun ConversationsContent(
    rows: List<ConversationRow>,
    myName: String,
    onAction: (Action) -> Unit,
    modifier: Modifier = Modifier,
    introductions: List<IntroductionRow> = emptyList(),
    rooms: List<RoomRow> = emptyList(),
) {
    val labels = LocalLabels.current
    var pasting by rememberSaveable { mutableStateOf(false) }
    Box(modifier) {
        ScreenScaffold(
            topBar = {
                TopBar(
                    title = labels.appTitle,
                    canGoBack = false,
                    onBack = {},
                    subtitle = if (myName.isBlank()) null else {
                        {
                            Text(
                                myName,
                                style = MaterialTheme.typography.bodyMedium,
                                color = MaterialTheme.colorScheme.onSurfaceVariant,
                                maxLines = 1,
                                overflow = TextOverflow.Ellipsis,
                            )
                        }
                    },
                    actions = {
                        IconButton(onClick = { onAction(Action.OpenSettings) }) {
                            Icon(Icons.Filled.Settings, contentDescription = labels.settings)
                        }
                    },
                )
            },
            bottomBar = {
                Column(Modifier.imePadding()) {
                    if (pasting) {
                        PastePanel(
                            onOpen = {
                                pasting = false
                                onAction(Action.Received(it, Source.PASTE))
                            },
                            onClose = { pasting = false },
                            modifier = Modifier.padding(horizontal = 12.dp, vertical = 8.dp),
                        )
                    }
                    StartBar(
                        onInvite = { onAction(Action.StartInvite) },
                        onPaste = { pasting = !pasting },
                        onScan = { onAction(Action.OpenScanner(ScanPurpose.ANY_CODE)) },
                    )
                }
            },
        ) { padding ->
            if (rows.isEmpty() && introductions.isEmpty() && rooms.isEmpty()) {
                EmptyList(padding)
            } else {
                LazyColumn(
                    Modifier.fillMaxSize().testTag("conversation-list"),
                    contentPadding = padding,
                ) {
                    // Introductions wait for an answer: above the chats, like an alert.
                    items(introductions, key = { "intro-${it.id}" }) { intro ->
                        IntroductionCard(intro, onAction)
                    }
                    roomsSection(rooms, onAction)
                    if (rows.isNotEmpty()) item(key = "chats-heading") {
                        SectionLabel(labels.chats, Modifier.padding(start = Gap, end = Gap, top = 12.dp, bottom = 4.dp))
                    }
                    items(rows, key = { it.id }) { row ->
                        ConversationRowItem(row, onClick = { onAction(openRow(row)) })
                        HorizontalDivider(
                            Modifier.padding(start = 80.dp),
                            color = MaterialTheme.colorScheme.outlineVariant.copy(alpha = 0.5f),
                        )
                    }
                }
            }
        }
    }
}

/** What tapping a row does: open the chat, show the waiting invite again. */
private fun openRow(row: ConversationRow): Action = when (row.kind) {
    RowKind.WAITING_INVITE -> Action.OpenInvite(row.id)
    RowKind.CHAT, RowKind.WAITING_JOIN -> Action.OpenConversation(row.id)
}

@Composable
private fun EmptyList(padding: PaddingValues) {
    val labels = LocalLabels.current
    Column(
        Modifier
            .fillMaxSize()
            .padding(padding)
            .verticalScroll(rememberScrollState())
            .padding(horizontal = 32.dp, vertical = 48.dp),
        horizontalAlignment = Alignment.CenterHorizontally,
        verticalArrangement = Arrangement.spacedBy(Gap),
    ) {
        RoundIcon(
            TincanIcons.PersonAdd,
            container = MaterialTheme.colorScheme.primaryContainer,
            content = MaterialTheme.colorScheme.onPrimaryContainer,
            size = 96.dp,
        )
        Text(
            labels.emptyTitle,
            style = MaterialTheme.typography.headlineSmall,
            textAlign = TextAlign.Center,
        )
        Text(
            labels.emptyBody,
            style = MaterialTheme.typography.bodyLarge,
            color = MaterialTheme.colorScheme.onSurfaceVariant,
            textAlign = TextAlign.Center,
        )
    }
}

/** The three ways to start, always in reach of a thumb. */
@Composable
private fun StartBar(onInvite: () -> Unit, onPaste: () -> Unit, onScan: () -> Unit) {
    val labels = LocalLabels.current
    Surface(color = MaterialTheme.colorScheme.surfaceContainer) {
        Row(
            Modifier
                .fillMaxWidth()
                .windowInsetsPadding(WindowInsets.navigationBars)
                .padding(horizontal = 8.dp, vertical = 8.dp)
                .height(IntrinsicSize.Min),
            horizontalArrangement = Arrangement.spacedBy(6.dp),
        ) {
            StartTile(
                labels.invite, TincanIcons.PersonAdd, onInvite, primary = true,
                modifier = Modifier.weight(1f),
            )
            StartTile(labels.pasteCode, TincanIcons.ContentPaste, onPaste, modifier = Modifier.weight(1f))
            StartTile(labels.scan, TincanIcons.QrScanner, onScan, modifier = Modifier.weight(1f))
        }
    }
}

@Composable
private fun StartTile(
    label: String,
    icon: ImageVector,
    onClick: () -> Unit,
    modifier: Modifier = Modifier,
    primary: Boolean = false,
) {
    val scheme = MaterialTheme.colorScheme
    Surface(
        onClick = onClick,
        shape = RoundedCornerShape(16.dp),
        color = if (primary) scheme.primary else scheme.secondaryContainer,
        contentColor = if (primary) scheme.onPrimary else scheme.onSecondaryContainer,
        modifier = modifier.fillMaxHeight().heightIn(min = 64.dp),
    ) {
        Column(
            Modifier.padding(horizontal = 4.dp, vertical = 10.dp),
            horizontalAlignment = Alignment.CenterHorizontally,
            verticalArrangement = Arrangement.Center,
        ) {
            Icon(icon, contentDescription = null, modifier = Modifier.size(24.dp))
            Spacer(Modifier.size(4.dp))
            // Grows with the font size only up to 1.5×, like the system's own bars: at 2× three
            // tiles would take a quarter of the screen from the list.
            val density = LocalDensity.current
            val base = MaterialTheme.typography.labelLarge
            val scale = min(density.fontScale, 1.5f) / density.fontScale
            Text(
                label,
                style = base.copy(fontSize = base.fontSize * scale, lineHeight = base.lineHeight * scale),
                textAlign = TextAlign.Center,
            )
        }
    }
}

/** One row: avatar with its connection dot, title, time, preview, status, unread badge. */
@Composable
private fun ConversationRowItem(row: ConversationRow, onClick: () -> Unit) {
    val labels = LocalLabels.current
    val scheme = MaterialTheme.colorScheme
    val extra = LocalTincanColors.current
    val unread = row.unread.toInt()
    Row(
        Modifier
            .fillMaxWidth()
            .clickable(role = Role.Button, onClick = onClick)
            .padding(horizontal = Gap, vertical = 12.dp)
            .testTag("row-${row.id}"),
        verticalAlignment = Alignment.Top,
    ) {
        Avatar(row)
        Spacer(Modifier.width(Gap))
        Column(Modifier.weight(1f), verticalArrangement = Arrangement.spacedBy(2.dp)) {
            Row(verticalAlignment = Alignment.CenterVertically) {
                Row(Modifier.weight(1f), verticalAlignment = Alignment.CenterVertically) {
                    Text(
                        row.title,
                        style = MaterialTheme.typography.titleMedium,
                        fontWeight = if (unread > 0) FontWeight.Bold else FontWeight.SemiBold,
                        maxLines = 2,
                        overflow = TextOverflow.Ellipsis,
                        modifier = Modifier.weight(1f, fill = false),
                    )
                    if (row.verified) {
                        Spacer(Modifier.width(4.dp))
                        Icon(
                            TincanIcons.VerifiedUser,
                            contentDescription = labels.verified,
                            tint = scheme.primary,
                            modifier = Modifier.size(16.dp),
                        )
                    }
                }
                Text(
                    row.timeLabel,
                    style = MaterialTheme.typography.labelMedium,
                    color = if (unread > 0) scheme.primary else scheme.onSurfaceVariant,
                    maxLines = 1,
                    modifier = Modifier.padding(start = 8.dp),
                )
            }
            PreviewLine(row.preview, unread)
            StatusLine(row.status, extra.of(row.connection))
        }
    }
}

@Composable
private fun Avatar(row: ConversationRow) {
    val scheme = MaterialTheme.colorScheme
    val extra = LocalTincanColors.current
    Box(Modifier.size(48.dp)) {
        when (row.kind) {
            RowKind.WAITING_INVITE -> RoundIcon(
                TincanIcons.Hourglass, scheme.tertiaryContainer, scheme.onTertiaryContainer, 48.dp,
            )
            RowKind.WAITING_JOIN -> RoundIcon(
                TincanIcons.Hourglass, scheme.secondaryContainer, scheme.onSecondaryContainer, 48.dp,
            )
            RowKind.CHAT -> Surface(shape = CircleShape, color = scheme.primaryContainer, modifier = Modifier.size(48.dp)) {
                Box(contentAlignment = Alignment.Center) {
                    // Sized in dp: the letter is a picture, it must stay inside its circle.
                    val size = with(LocalDensity.current) { 22.dp.toSp() }
                    Text(
                        initial(row.title),
                        style = MaterialTheme.typography.titleLarge.copy(fontSize = size, lineHeight = size),
                        color = scheme.onPrimaryContainer,
                        maxLines = 1,
                    )
                }
            }
        }
        if (row.kind == RowKind.CHAT) {
            Surface(
                shape = CircleShape,
                color = scheme.surface,
                modifier = Modifier.align(Alignment.BottomEnd).size(16.dp),
            ) {
                Box(contentAlignment = Alignment.Center) { Dot(extra.of(row.connection), size = 10.dp) }
            }
        }
    }
}

/** The first letter of a name, for its avatar. */
internal fun initial(name: String): String =
    name.trim().firstOrNull()?.uppercaseChar()?.toString() ?: "?"
