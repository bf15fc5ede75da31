package app.tincan.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.BoxWithConstraints
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.Spacer
import androidx.compose.foundation.layout.WindowInsets
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.imePadding
import androidx.compose.foundation.layout.navigationBars
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.layout.width
import androidx.compose.foundation.layout.windowInsetsPadding
import androidx.compose.foundation.layout.wrapContentWidth
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.automirrored.filled.Send
import androidx.compose.material.icons.filled.Done
import androidx.compose.material.icons.filled.MoreVert
import androidx.compose.material.icons.filled.Warning
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.ButtonDefaults
import androidx.compose.material3.DropdownMenu
import androidx.compose.material3.DropdownMenuItem
import androidx.compose.material3.FilledIconButton
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
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
import androidx.compose.ui.text.style.TextAlign
import androidx.compose.ui.unit.dp
import androidx.compose.ui.unit.sp
import app.tincan.ffi.Action
import app.tincan.ffi.AttachmentView
import app.tincan.ffi.Banner
import app.tincan.ffi.BannerKind
import app.tincan.ffi.ConversationItem
import app.tincan.ffi.ConversationView
import app.tincan.ffi.Delivery
import app.tincan.ffi.FollowUpOffer

/**
 * One conversation: who and how connected (tap for the contact), a banner when
 * something is wrong, the messages with day separators and ticks, a follow-up offer when
 * a connection is stuck, and the composer. Files and photos show in their bubbles; the
 * attach button calls [onPickFile] (the platform's picker, whose copy of the file goes
 * to `Action.PickFile`), and Open on a received file calls [onOpenFile] (the system
 * viewer).
 */
@Composable
fun ConversationContent(
    view: ConversationView,
    canGoBack: Boolean,
    onAction: (Action) -> Unit,
    onShare: (String) -> Unit,
    modifier: Modifier = Modifier,
    onPickFile: (PickKind) -> Unit = {},
    onOpenFile: (AttachmentView) -> Unit = {},
) {
    val labels = LocalLabels.current
    val extra = LocalTincanColors.current
    val hasContact = view.contact.isNotEmpty()
    var menu by remember { mutableStateOf(false) }
    var confirmEnd by remember { mutableStateOf(false) }
    ScreenScaffold(
        topBar = {
            TopBar(
                title = view.title,
                canGoBack = canGoBack,
                onBack = { onAction(Action.Back) },
                titleModifier = if (hasContact) {
                    Modifier.clickable(role = Role.Button, onClickLabel = labels.contactDetails) {
                        onAction(Action.OpenContact)
                    }
                } else Modifier,
                titleTrailing = if (view.verified) {
                    {
                        Icon(
                            TincanIcons.VerifiedUser,
                            contentDescription = labels.verified,
                            tint = MaterialTheme.colorScheme.primary,
                            modifier = Modifier.size(20.dp),
                        )
                    }
                } else null,
                subtitle = {
                    StatusLine(
                        view.subtitle,
                        extra.of(view.connection),
                        style = MaterialTheme.typography.bodyMedium,
                        textModifier = Modifier.testTag("conversation-subtitle"),
                    )
                },
                actions = {
                    Box {
                        IconButton(onClick = { menu = true }) {
                            Icon(Icons.Filled.MoreVert, contentDescription = labels.moreOptions)
                        }
                        DropdownMenu(expanded = menu, onDismissRequest = { menu = false }) {
                            if (hasContact) {
                                DropdownMenuItem(
                                    text = { Text(labels.contactDetails) },
                                    onClick = {
                                        menu = false
                                        onAction(Action.OpenContact)
                                    },
                                )
                            }
                            DropdownMenuItem(
                                text = { Text(labels.endConversation) },
                                onClick = {
                                    menu = false
                                    confirmEnd = true
                                },
                            )
                        }
                    }
                },
            )
        },
        bottomBar = { Composer(view, onAction, onPickFile) },
    ) { padding ->
        BoxWithConstraints(Modifier.fillMaxSize().padding(padding)) {
            // Banner and offer scroll within at most about half the screen (large fonts),
            // so the messages always keep some room.
            val topMax = maxHeight * 0.55f
            Column(Modifier.fillMaxSize()) {
                if (view.banner != null || view.followUp != null) {
                    Column(Modifier.heightIn(max = topMax).verticalScroll(rememberScrollState())) {
                        view.banner?.let { ConversationBanner(it, hasContact, onAction) }
                        view.followUp?.let { FollowUp(it, onAction, onShare) }
                    }
                }
                Messages(view, onAction, onOpenFile, Modifier.weight(1f))
            }
        }
    }
    if (confirmEnd) {
        AlertDialog(
            onDismissRequest = { confirmEnd = false },
            text = { Text(labels.endConversationConfirm) },
            confirmButton = {
                TextButton(onClick = {
                    confirmEnd = false
                    onAction(Action.EndConversation)
                }) { Text(labels.endConversation) }
            },
            dismissButton = { TextButton(onClick = { confirmEnd = false }) { Text(labels.cancel) } },
        )
    }
}

/** The core's banner, coloured by kind; a changed key leads to the contact screen. */
@Composable
private fun ConversationBanner(banner: Banner, hasContact: Boolean, onAction: (Action) -> Unit) {
    val labels = LocalLabels.current
    val (container, content) = bannerColors(banner.kind)
    val icon: ImageVector = when (banner.kind) {
        BannerKind.KEY_CHANGED -> Icons.Filled.Warning
        BannerKind.RECONNECTING, BannerKind.CONNECTING -> TincanIcons.Sync
        BannerKind.OFFLINE -> TincanIcons.CloudOff
        BannerKind.ENDED -> TincanIcons.Block
    }
    Surface(color = container, contentColor = content, modifier = Modifier.fillMaxWidth().testTag("banner")) {
        Column(Modifier.padding(horizontal = Gap, vertical = 12.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            Row(verticalAlignment = Alignment.Top) {
                Icon(
                    icon,
                    contentDescription = if (banner.kind == BannerKind.KEY_CHANGED) labels.warning else null,
                    tint = if (banner.kind == BannerKind.KEY_CHANGED) MaterialTheme.colorScheme.error else content,
                    modifier = Modifier.size(20.dp),
                )
                Spacer(Modifier.width(12.dp))
                Text(banner.text, style = MaterialTheme.typography.bodyMedium, modifier = Modifier.weight(1f))
            }
            if (banner.kind == BannerKind.KEY_CHANGED && hasContact) {
                Button(
                    onClick = { onAction(Action.OpenContact) },
                    colors = ButtonDefaults.buttonColors(
                        containerColor = MaterialTheme.colorScheme.error,
                        contentColor = MaterialTheme.colorScheme.onError,
                    ),
                    modifier = Modifier.align(Alignment.End),
                ) { Text(labels.compareSafetyNumbers) }
            }
        }
    }
}

/** A follow-up code offered when the connection is stuck: make it, then share it. */
@Composable
private fun FollowUp(offer: FollowUpOffer, onAction: (Action) -> Unit, onShare: (String) -> Unit) {
    val labels = LocalLabels.current
    Surface(
        color = MaterialTheme.colorScheme.tertiaryContainer,
        contentColor = MaterialTheme.colorScheme.onTertiaryContainer,
        shape = RoundedCornerShape(16.dp),
        modifier = Modifier.fillMaxWidth().padding(horizontal = 12.dp, vertical = 8.dp).testTag("follow-up"),
    ) {
        Column(Modifier.padding(Gap), verticalArrangement = Arrangement.spacedBy(12.dp)) {
            Text(offer.explanation, style = MaterialTheme.typography.bodyMedium)
            if (offer.code.isEmpty()) {
                Button(onClick = { onAction(Action.MakeFollowUpCode) }, modifier = Modifier.fillMaxWidth()) {
                    Text(labels.makeFollowUpCode)
                }
            } else {
                ShareRow(offer.shareText, onShare)
                CodeBlock(labels.followUpCode, offer.code, tag = "follow-up-code")
            }
        }
    }
}

@Composable
private fun Messages(
    view: ConversationView,
    onAction: (Action) -> Unit,
    onOpenFile: (AttachmentView) -> Unit,
    modifier: Modifier,
) {
    val labels = LocalLabels.current
    // Newest at the bottom, and the list starts there: reversed items in a reversed layout.
    val newestFirst = remember(view.items) { view.items.asReversed() }
    LazyColumn(
        modifier.fillMaxWidth().testTag("messages"),
        reverseLayout = true,
        contentPadding = PaddingValues(horizontal = 12.dp, vertical = 8.dp),
        // Few messages sit just above the composer, as in any chat.
        verticalArrangement = Arrangement.spacedBy(6.dp, Alignment.Bottom),
    ) {
        items(newestFirst, key = { itemKey(it) }) { item ->
            when (item) {
                is ConversationItem.Day -> DaySeparator(item.label)
                is ConversationItem.Message -> Bubble(item, onAction, onOpenFile)
            }
        }
        if (view.hasEarlier) {
            item(key = "earlier") {
                Box(Modifier.fillMaxWidth(), contentAlignment = Alignment.Center) {
                    TextButton(onClick = { onAction(Action.LoadEarlier) }) { Text(labels.loadEarlier) }
                }
            }
        }
    }
}

private fun itemKey(item: ConversationItem): String = when (item) {
    is ConversationItem.Day -> item.key
    is ConversationItem.Message -> "m-${item.key}"
}

@Composable
private fun DaySeparator(label: String) {
    Box(Modifier.fillMaxWidth().padding(vertical = 6.dp), contentAlignment = Alignment.Center) {
        Surface(
            color = MaterialTheme.colorScheme.surfaceContainerHigh,
            contentColor = MaterialTheme.colorScheme.onSurfaceVariant,
            shape = RoundedCornerShape(50),
        ) {
            Text(
                label,
                style = MaterialTheme.typography.labelMedium,
                textAlign = TextAlign.Center,
                modifier = Modifier.padding(horizontal = 12.dp, vertical = 4.dp),
            )
        }
    }
}

@Composable
private fun Bubble(message: ConversationItem.Message, onAction: (Action) -> Unit, onOpenFile: (AttachmentView) -> Unit) {
    val scheme = MaterialTheme.colorScheme
    val outgoing = message.outgoing
    val align = if (outgoing) Alignment.End else Alignment.Start
    Box(Modifier.fillMaxWidth(), contentAlignment = if (outgoing) Alignment.CenterEnd else Alignment.CenterStart) {
        Surface(
            color = if (outgoing) scheme.primaryContainer else scheme.surfaceContainerHighest,
            contentColor = if (outgoing) scheme.onPrimaryContainer else scheme.onSurface,
            shape = RoundedCornerShape(
                topStart = 18.dp,
                topEnd = 18.dp,
                bottomStart = if (outgoing) 18.dp else 4.dp,
                bottomEnd = if (outgoing) 4.dp else 18.dp,
            ),
            modifier = Modifier.fillMaxWidth(0.85f).wrapContentWidth(align).testTag("message"),
        ) {
            Column(Modifier.padding(start = 12.dp, end = 10.dp, top = 8.dp, bottom = 6.dp)) {
                message.attachment?.let { AttachmentPart(it, onAction, onOpenFile) }
                if (message.text.isNotEmpty()) {
                    Text(message.text, style = MaterialTheme.typography.bodyLarge)
                }
                Row(
                    Modifier.align(Alignment.End).padding(top = 2.dp),
                    verticalAlignment = Alignment.CenterVertically,
                ) {
                    Text(
                        message.time,
                        style = MaterialTheme.typography.labelSmall,
                        color = if (outgoing) scheme.onPrimaryContainer.copy(alpha = 0.75f) else scheme.onSurfaceVariant,
                    )
                    if (message.delivery != Delivery.INCOMING) {
                        Spacer(Modifier.width(4.dp))
                        Ticks(message.delivery, message.deliveryLabel)
                    }
                }
            }
        }
    }
}

/** Queued: a clock; sent: one tick; delivered: two; read: two in the read colour. */
@Composable
private fun Ticks(delivery: Delivery, label: String) {
    val muted = MaterialTheme.colorScheme.onPrimaryContainer.copy(alpha = 0.75f)
    val (icon, tint) = when (delivery) {
        Delivery.QUEUED -> TincanIcons.Schedule to muted
        Delivery.SENT -> Icons.Filled.Done to muted
        Delivery.DELIVERED -> TincanIcons.DoneAll to muted
        Delivery.READ -> TincanIcons.DoneAll to LocalTincanColors.current.readTick
        Delivery.INCOMING -> return
    }
    // As large as the time beside it, whatever the font size.
    val size = with(LocalDensity.current) { 16.sp.toDp() }
    Icon(
        icon,
        contentDescription = null,
        tint = tint,
        modifier = Modifier.size(size).semantics { contentDescription = label }.testTag("ticks"),
    )
}

@Composable
private fun Composer(view: ConversationView, onAction: (Action) -> Unit, onPickFile: (PickKind) -> Unit) {
    val labels = LocalLabels.current
    var text by rememberSaveable { mutableStateOf("") }
    Surface(color = MaterialTheme.colorScheme.surfaceContainer) {
        Column(
            Modifier
                .fillMaxWidth()
                .windowInsetsPadding(WindowInsets.navigationBars)
                .imePadding(),
        ) {
            view.picked?.let { PickedPanel(it, onAction) }
            // While a file waits for Send, the panel above is the composer.
            if (view.picked == null) Row(
                Modifier.fillMaxWidth().padding(horizontal = 8.dp, vertical = 8.dp),
                verticalAlignment = Alignment.CenterVertically,
            ) {
                if (view.canAttach) AttachButton(onPickFile)
                OutlinedTextField(
                    value = text,
                    onValueChange = { text = it },
                    placeholder = { Text(view.composerHint) },
                    enabled = view.canSend,
                    maxLines = 5,
                    shape = RoundedCornerShape(24.dp),
                    modifier = Modifier.weight(1f).testTag("composer"),
                )
                Spacer(Modifier.width(8.dp))
                FilledIconButton(
                    onClick = {
                        onAction(Action.Send(text))
                        text = ""
                    },
                    enabled = view.canSend && text.isNotBlank(),
                    modifier = Modifier.size(48.dp),
                ) {
                    Icon(Icons.AutoMirrored.Filled.Send, contentDescription = labels.send)
                }
            }
        }
    }
}
