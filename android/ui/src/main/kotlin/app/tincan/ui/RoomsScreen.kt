package app.tincan.ui

import androidx.compose.foundation.BorderStroke
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
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.imePadding
import androidx.compose.foundation.layout.navigationBars
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.layout.width
import androidx.compose.foundation.layout.windowInsetsPadding
import androidx.compose.foundation.layout.wrapContentWidth
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.LazyListScope
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.selection.toggleable
import androidx.compose.foundation.shape.CircleShape
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.foundation.verticalScroll
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.automirrored.filled.Send
import androidx.compose.material.icons.filled.Add
import androidx.compose.material.icons.filled.Info
import androidx.compose.material.icons.filled.Lock
import androidx.compose.material.icons.filled.Person
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.ButtonDefaults
import androidx.compose.material3.Checkbox
import androidx.compose.material3.FilledIconButton
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.Icon
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Surface
import androidx.compose.material3.Tab
import androidx.compose.material3.TabRow
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
import androidx.compose.ui.platform.LocalDensity
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontStyle
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.text.style.TextAlign
import androidx.compose.ui.text.style.TextOverflow
import androidx.compose.ui.unit.Dp
import androidx.compose.ui.unit.TextUnit
import androidx.compose.ui.unit.dp
import androidx.compose.ui.unit.sp
import app.tincan.ffi.Action
import kotlin.math.min
import app.tincan.ffi.NewRoomView
import app.tincan.ffi.RoomCandidate
import app.tincan.ffi.RoomMemberView
import app.tincan.ffi.RoomPostView
import app.tincan.ffi.RoomRow
import app.tincan.ffi.RoomView

/**
 * The rooms section of the conversation list: its heading with "New room", then the
 * person's rooms (newest activity first, as the core orders them).
 */
internal fun LazyListScope.roomsSection(rooms: List<RoomRow>, onAction: (Action) -> Unit) {
    item(key = "rooms-heading") {
        val labels = LocalLabels.current
        Row(
            Modifier.fillMaxWidth().padding(start = Gap, end = 8.dp, top = 8.dp),
            verticalAlignment = Alignment.CenterVertically,
        ) {
            SectionLabel(labels.rooms, Modifier.weight(1f))
            TextButton(
                onClick = { onAction(Action.StartRoom) },
                modifier = Modifier.heightIn(min = 48.dp).testTag("new-room"),
            ) {
                Icon(Icons.Filled.Add, contentDescription = null, modifier = Modifier.size(18.dp))
                Spacer(Modifier.width(6.dp))
                Text(labels.newRoom)
            }
        }
    }
    if (rooms.isEmpty()) {
        item(key = "no-rooms") {
            Text(
                LocalLabels.current.noRooms,
                style = MaterialTheme.typography.bodyMedium,
                color = MaterialTheme.colorScheme.onSurfaceVariant,
                modifier = Modifier.padding(start = Gap, end = Gap, bottom = 8.dp).testTag("no-rooms"),
            )
        }
    }
    items(rooms, key = { "room-${it.id}" }) { room ->
        RoomRowItem(room, onClick = { onAction(Action.OpenRoom(room.id)) })
        HorizontalDivider(
            Modifier.padding(start = 80.dp),
            color = MaterialTheme.colorScheme.outlineVariant.copy(alpha = 0.5f),
        )
    }
}

/** One room in the list: its name, time, newest post, unread count, members. */
@Composable
private fun RoomRowItem(room: RoomRow, onClick: () -> Unit) {
    val scheme = MaterialTheme.colorScheme
    val unread = room.unread.toInt()
    Row(
        Modifier
            .fillMaxWidth()
            .clickable(role = Role.Button, onClick = onClick)
            .padding(horizontal = Gap, vertical = 12.dp)
            .testTag("room-row-${room.id}"),
        verticalAlignment = Alignment.Top,
    ) {
        if (room.joined) {
            RoundIcon(TincanIcons.Group, scheme.secondaryContainer, scheme.onSecondaryContainer, 48.dp)
        } else {
            RoundIcon(TincanIcons.Group, scheme.surfaceContainerHighest, scheme.onSurfaceVariant, 48.dp)
        }
        Spacer(Modifier.width(Gap))
        Column(Modifier.weight(1f), verticalArrangement = Arrangement.spacedBy(2.dp)) {
            Row(verticalAlignment = Alignment.CenterVertically) {
                Text(
                    room.name,
                    style = MaterialTheme.typography.titleMedium,
                    fontWeight = if (unread > 0) FontWeight.Bold else FontWeight.SemiBold,
                    color = if (room.joined) scheme.onSurface else scheme.onSurfaceVariant,
                    maxLines = 2,
                    overflow = TextOverflow.Ellipsis,
                    modifier = Modifier.weight(1f),
                )
                if (room.timeLabel.isNotEmpty()) {
                    Text(
                        room.timeLabel,
                        style = MaterialTheme.typography.labelMedium,
                        color = if (unread > 0) scheme.primary else scheme.onSurfaceVariant,
                        maxLines = 1,
                        modifier = Modifier.padding(start = 8.dp),
                    )
                }
            }
            PreviewLine(room.preview, unread, italic = !room.joined)
            Text(
                room.membersText,
                style = MaterialTheme.typography.labelMedium,
                color = scheme.onSurfaceVariant,
            )
        }
    }
}

/**
 * Making a room: what a room is, its name, the contacts to tick, Create. The name is
 * the person's while typing; each change goes to the core, which says whether Create
 * may be pressed.
 */
@Composable
fun NewRoomContent(
    view: NewRoomView,
    canGoBack: Boolean,
    onAction: (Action) -> Unit,
    modifier: Modifier = Modifier,
) {
    val labels = LocalLabels.current
    var name by rememberSaveable { mutableStateOf(view.name) }
    ScreenScaffold(
        topBar = { TopBar(labels.newRoom, canGoBack, onBack = { onAction(Action.Back) }) },
    ) { padding ->
        ScrollingBody(padding, modifier.testTag("new-room-screen")) {
            OutlinedTextField(
                value = name,
                onValueChange = {
                    name = it
                    onAction(Action.EditRoomName(it))
                },
                label = { Text(labels.roomName) },
                singleLine = true,
                modifier = Modifier.fillMaxWidth().testTag("new-room-name"),
            )
            // The name comes first: at large text sizes the explanation alone fills
            // the screen, and a person should not scroll to find where to type.
            Text(
                view.explanation,
                style = MaterialTheme.typography.bodyMedium,
                color = MaterialTheme.colorScheme.onSurfaceVariant,
            )
            SectionLabel(labels.roomWho)
            if (view.candidates.isEmpty()) {
                Text(
                    view.empty,
                    style = MaterialTheme.typography.bodyLarge,
                    color = MaterialTheme.colorScheme.onSurfaceVariant,
                    modifier = Modifier.testTag("new-room-empty"),
                )
            } else {
                Column(Modifier.fillMaxWidth()) {
                    view.candidates.forEachIndexed { i, candidate ->
                        ChooseRow(candidate, onAction)
                        if (i < view.candidates.lastIndex) HorizontalDivider(
                            Modifier.padding(start = 112.dp),
                            color = MaterialTheme.colorScheme.outlineVariant.copy(alpha = 0.5f),
                        )
                    }
                }
            }
            view.error?.let { ErrorText(it, Modifier.testTag("new-room-error")) }
            Button(
                onClick = { onAction(Action.CreateRoom) },
                enabled = view.canCreate,
                modifier = Modifier.fillMaxWidth().heightIn(min = 48.dp).testTag("create-room"),
            ) { Text(labels.createRoom) }
        }
    }
}

/** A contact with its tick: the whole row toggles it. */
@Composable
private fun ChooseRow(candidate: RoomCandidate, onAction: (Action) -> Unit) {
    Row(
        Modifier
            .fillMaxWidth()
            .heightIn(min = 56.dp)
            .toggleable(
                value = candidate.chosen,
                role = Role.Checkbox,
                onValueChange = { onAction(Action.ChooseRoomMember(candidate.conversation, it)) },
            )
            .padding(vertical = 8.dp)
            .testTag("choose-${candidate.conversation}"),
        verticalAlignment = Alignment.CenterVertically,
    ) {
        Checkbox(checked = candidate.chosen, onCheckedChange = null)
        Spacer(Modifier.width(12.dp))
        InitialAvatar(candidate.name, 40.dp)
        Spacer(Modifier.width(12.dp))
        NameAndStatus(candidate.name, candidate.status, Modifier.weight(1f))
    }
}

@Composable
private fun NameAndStatus(name: String, status: String, modifier: Modifier = Modifier) {
    Column(modifier) {
        Text(
            name,
            style = MaterialTheme.typography.titleMedium,
            maxLines = 2,
            overflow = TextOverflow.Ellipsis,
        )
        Text(
            status,
            style = MaterialTheme.typography.bodyMedium,
            color = MaterialTheme.colorScheme.onSurfaceVariant,
        )
    }
}

/** A round avatar with a name's first letter, sized in dp like a picture. */
@Composable
internal fun InitialAvatar(name: String, size: Dp, modifier: Modifier = Modifier) {
    val scheme = MaterialTheme.colorScheme
    Surface(shape = CircleShape, color = scheme.primaryContainer, modifier = modifier.size(size)) {
        Box(contentAlignment = Alignment.Center) {
            val fontSize = with(LocalDensity.current) { (size * 0.45f).toSp() }
            Text(
                initial(name),
                style = MaterialTheme.typography.titleLarge.copy(fontSize = fontSize, lineHeight = fontSize),
                color = scheme.onPrimaryContainer,
                maxLines = 1,
            )
        }
    }
}

/**
 * One group room: its name and members count; the banner once the person is out of it;
 * two tabs — the posts (oldest at the top, newest just above the composer, each with
 * its author) with the composer while the person is a member, and the members (admin
 * marks, Remove where the core allows it, Add member, Leave room).
 * [membersFirst] opens on the members tab (for a screenshot of it).
 */
@Composable
fun RoomContent(
    view: RoomView,
    canGoBack: Boolean,
    onAction: (Action) -> Unit,
    modifier: Modifier = Modifier,
    membersFirst: Boolean = false,
) {
    val labels = LocalLabels.current
    var membersTab by rememberSaveable { mutableStateOf(membersFirst) }
    ScreenScaffold(
        topBar = {
            TopBar(
                title = view.name,
                canGoBack = canGoBack,
                onBack = { onAction(Action.Back) },
                subtitle = {
                    Text(
                        view.subtitle,
                        style = MaterialTheme.typography.bodyMedium,
                        color = MaterialTheme.colorScheme.onSurfaceVariant,
                        modifier = Modifier.testTag("room-subtitle"),
                    )
                },
            )
        },
        bottomBar = { if (!membersTab) RoomComposer(view, onAction) },
    ) { padding ->
        Column(modifier.fillMaxSize().padding(padding).testTag("room-screen")) {
            if (view.banner.isNotEmpty()) RoomBanner(view.banner)
            // The tab labels grow with the font size only up to 1.5×, like the list's start
            // buttons: at 2× the bar and tabs would leave the posts little room.
            val density = LocalDensity.current
            val base = MaterialTheme.typography.labelLarge
            val scale = min(density.fontScale, 1.5f) / density.fontScale
            val tabStyle = base.copy(fontSize = base.fontSize * scale, lineHeight = base.lineHeight * scale)
            TabRow(
                selectedTabIndex = if (membersTab) 1 else 0,
                containerColor = MaterialTheme.colorScheme.surface,
            ) {
                Tab(
                    selected = !membersTab,
                    onClick = { membersTab = false },
                    text = { Text(labels.posts, style = tabStyle) },
                    modifier = Modifier.testTag("tab-posts"),
                )
                Tab(
                    selected = membersTab,
                    onClick = { membersTab = true },
                    text = { Text(labels.members, style = tabStyle) },
                    modifier = Modifier.testTag("tab-members"),
                )
            }
            if (membersTab) {
                RoomMembers(view, onAction, Modifier.weight(1f))
            } else {
                RoomPosts(view, Modifier.weight(1f))
            }
        }
    }
}

/** "You were removed from this room…" / "You left this room…". */
@Composable
private fun RoomBanner(text: String) {
    val scheme = MaterialTheme.colorScheme
    Surface(
        color = scheme.surfaceContainerHighest,
        contentColor = scheme.onSurfaceVariant,
        modifier = Modifier.fillMaxWidth().testTag("room-banner"),
    ) {
        Row(Modifier.padding(horizontal = Gap, vertical = 12.dp), verticalAlignment = Alignment.Top) {
            Icon(TincanIcons.Block, contentDescription = null, modifier = Modifier.size(20.dp))
            Spacer(Modifier.width(12.dp))
            Text(text, style = MaterialTheme.typography.bodyMedium, modifier = Modifier.weight(1f))
        }
    }
}

@Composable
private fun RoomPosts(view: RoomView, modifier: Modifier) {
    if (view.posts.isEmpty()) {
        Box(modifier.fillMaxWidth().verticalScroll(rememberScrollState()).padding(32.dp)) {
            Text(
                view.empty,
                style = MaterialTheme.typography.bodyLarge,
                color = MaterialTheme.colorScheme.onSurfaceVariant,
                textAlign = TextAlign.Center,
                modifier = Modifier.fillMaxWidth().testTag("room-empty"),
            )
        }
        return
    }
    // Newest at the bottom, and the list starts there: reversed items in a reversed layout.
    val newestFirst = remember(view.posts) { view.posts.asReversed() }
    LazyColumn(
        modifier.fillMaxWidth().testTag("room-posts"),
        reverseLayout = true,
        contentPadding = PaddingValues(horizontal = 12.dp, vertical = 8.dp),
        verticalArrangement = Arrangement.spacedBy(8.dp, Alignment.Bottom),
    ) {
        items(newestFirst, key = { it.key }) { post -> PostBubble(post) }
    }
}

/**
 * One post: its author above it (marked when not a contact: the name is only what they
 * call themselves), the text and when it arrived. A post this phone has no key for is
 * shown quietly, as an outline with the core's words.
 */
@Composable
private fun PostBubble(post: RoomPostView) {
    val scheme = MaterialTheme.colorScheme
    val align = if (post.mine) Alignment.End else Alignment.Start
    Column(
        Modifier.fillMaxWidth().testTag("room-post"),
        horizontalAlignment = align,
    ) {
        Row(
            Modifier.padding(horizontal = 6.dp, vertical = 2.dp),
            verticalAlignment = Alignment.CenterVertically,
        ) {
            if (post.notContact) NotContactMark(14.sp)
            Text(
                post.authorName,
                style = MaterialTheme.typography.labelMedium,
                color = when {
                    post.notContact -> scheme.tertiary
                    post.mine -> scheme.onSurfaceVariant
                    else -> scheme.primary
                },
                modifier = Modifier.testTag("post-author"),
            )
        }
        val shape = RoundedCornerShape(
            topStart = if (post.mine) 18.dp else 4.dp,
            topEnd = if (post.mine) 4.dp else 18.dp,
            bottomStart = 18.dp,
            bottomEnd = 18.dp,
        )
        Surface(
            color = when {
                !post.readable -> scheme.surface
                post.mine -> scheme.primaryContainer
                else -> scheme.surfaceContainerHighest
            },
            contentColor = when {
                !post.readable -> scheme.onSurfaceVariant
                post.mine -> scheme.onPrimaryContainer
                else -> scheme.onSurface
            },
            border = if (post.readable) null else BorderStroke(1.dp, scheme.outlineVariant),
            shape = shape,
            modifier = Modifier.fillMaxWidth(0.85f).wrapContentWidth(align),
        ) {
            Column(Modifier.padding(start = 12.dp, end = 10.dp, top = 8.dp, bottom = 6.dp)) {
                Row(verticalAlignment = Alignment.CenterVertically) {
                    if (!post.readable) {
                        Icon(Icons.Filled.Lock, contentDescription = null, modifier = Modifier.size(16.dp))
                        Spacer(Modifier.width(6.dp))
                    }
                    Text(
                        post.text,
                        style = if (post.readable) MaterialTheme.typography.bodyLarge
                        else MaterialTheme.typography.bodyMedium.copy(fontStyle = FontStyle.Italic),
                        modifier = Modifier.testTag(if (post.readable) "post-text" else "post-no-key"),
                    )
                }
                if (post.time.isNotEmpty()) {
                    Text(
                        post.time,
                        style = MaterialTheme.typography.labelSmall,
                        color = if (post.mine && post.readable) scheme.onPrimaryContainer.copy(alpha = 0.75f)
                        else scheme.onSurfaceVariant,
                        modifier = Modifier.align(Alignment.End).padding(top = 2.dp),
                    )
                }
            }
        }
    }
}

/** The composer while the person is a member; otherwise the core's words for why not. */
@Composable
private fun RoomComposer(view: RoomView, onAction: (Action) -> Unit) {
    val labels = LocalLabels.current
    var text by rememberSaveable { mutableStateOf("") }
    Surface(color = MaterialTheme.colorScheme.surfaceContainer) {
        Box(
            Modifier
                .fillMaxWidth()
                .windowInsetsPadding(WindowInsets.navigationBars)
                .imePadding(),
        ) {
            if (view.canPost) {
                Row(
                    Modifier.fillMaxWidth().padding(horizontal = 8.dp, vertical = 8.dp),
                    verticalAlignment = Alignment.CenterVertically,
                ) {
                    OutlinedTextField(
                        value = text,
                        onValueChange = { text = it },
                        placeholder = { Text(view.composerHint) },
                        maxLines = 5,
                        shape = RoundedCornerShape(24.dp),
                        modifier = Modifier.weight(1f).testTag("room-composer"),
                    )
                    Spacer(Modifier.width(8.dp))
                    FilledIconButton(
                        onClick = {
                            onAction(Action.PostToRoom(text))
                            text = ""
                        },
                        enabled = text.isNotBlank(),
                        modifier = Modifier.size(48.dp),
                    ) {
                        Icon(Icons.AutoMirrored.Filled.Send, contentDescription = labels.post)
                    }
                }
            } else {
                Text(
                    view.composerHint,
                    style = MaterialTheme.typography.bodyMedium,
                    color = MaterialTheme.colorScheme.onSurfaceVariant,
                    textAlign = TextAlign.Center,
                    modifier = Modifier.fillMaxWidth().padding(Gap).testTag("room-composer-hint"),
                )
            }
        }
    }
}

/**
 * The members: the person first, admins marked, Remove where the core allows it; Add
 * member opens the contacts not yet in the room; Leave room at the end.
 */
@Composable
private fun RoomMembers(view: RoomView, onAction: (Action) -> Unit, modifier: Modifier) {
    val labels = LocalLabels.current
    var adding by rememberSaveable { mutableStateOf(false) }
    var removing by remember { mutableStateOf<RoomMemberView?>(null) }
    var leaving by remember { mutableStateOf(false) }
    Column(
        modifier
            .fillMaxWidth()
            .verticalScroll(rememberScrollState())
            .padding(horizontal = Gap, vertical = 8.dp)
            .testTag("room-members"),
        verticalArrangement = Arrangement.spacedBy(4.dp),
    ) {
        for (member in view.members) {
            MemberRow(member, onRemove = { removing = member })
        }
        if (view.canAdd) {
            Spacer(Modifier.size(8.dp))
            if (!adding) {
                OutlinedButton(
                    onClick = { adding = true },
                    modifier = Modifier.fillMaxWidth().heightIn(min = 48.dp).testTag("add-member"),
                ) {
                    Icon(TincanIcons.PersonAdd, contentDescription = null, modifier = Modifier.size(18.dp))
                    Spacer(Modifier.width(8.dp))
                    Text(labels.addMember)
                }
            } else {
                SectionLabel(labels.addMember, Modifier.padding(top = 8.dp))
                for (candidate in view.addable) {
                    AddRow(candidate, onAdd = { onAction(Action.AddRoomMember(candidate.conversation)) })
                }
                TextButton(
                    onClick = { adding = false },
                    modifier = Modifier.align(Alignment.End),
                ) { Text(labels.cancel) }
            }
        }
        if (view.canLeave) {
            Spacer(Modifier.size(8.dp))
            OutlinedButton(
                onClick = { leaving = true },
                colors = ButtonDefaults.outlinedButtonColors(contentColor = MaterialTheme.colorScheme.error),
                modifier = Modifier.fillMaxWidth().heightIn(min = 48.dp).testTag("leave-room"),
            ) { Text(labels.leaveRoom) }
        }
    }
    removing?.let { member ->
        AlertDialog(
            onDismissRequest = { removing = null },
            text = { Text(labels.removeMember(member.name)) },
            confirmButton = {
                TextButton(
                    onClick = {
                        removing = null
                        onAction(Action.RemoveRoomMember(member.key))
                    },
                    modifier = Modifier.testTag("confirm-remove"),
                ) { Text(labels.remove) }
            },
            dismissButton = { TextButton(onClick = { removing = null }) { Text(labels.cancel) } },
        )
    }
    if (leaving) {
        AlertDialog(
            onDismissRequest = { leaving = false },
            text = { Text(labels.leaveRoomConfirm) },
            confirmButton = {
                TextButton(
                    onClick = {
                        leaving = false
                        onAction(Action.LeaveRoom)
                    },
                    modifier = Modifier.testTag("confirm-leave"),
                ) { Text(labels.leaveRoom) }
            },
            dismissButton = { TextButton(onClick = { leaving = false }) { Text(labels.cancel) } },
        )
    }
}

/**
 * Whether a row's button goes under its name rather than beside it: at large font sizes
 * a button beside a long name would squeeze the name to a letter per line.
 */
@Composable
private fun buttonUnderName(): Boolean = LocalDensity.current.fontScale >= 1.5f

/**
 * One member: avatar, "Ben · admin" with the admin mark, Remove when allowed. A member
 * who is not a contact is marked as their posts are: the name is only what they call
 * themselves.
 */
@Composable
private fun MemberRow(member: RoomMemberView, onRemove: () -> Unit) {
    val labels = LocalLabels.current
    val scheme = MaterialTheme.colorScheme
    val under = buttonUnderName()
    val remove: @Composable (Modifier) -> Unit = { modifier ->
        OutlinedButton(
            onClick = onRemove,
            modifier = modifier.heightIn(min = 40.dp).testTag("remove-${member.key}"),
        ) { Text(labels.remove) }
    }
    Row(
        Modifier.fillMaxWidth().heightIn(min = 56.dp).padding(vertical = 6.dp).testTag("member-${member.key}"),
        verticalAlignment = Alignment.CenterVertically,
    ) {
        if (member.isMe) {
            RoundIcon(Icons.Filled.Person, scheme.primaryContainer, scheme.onPrimaryContainer, 40.dp)
        } else {
            InitialAvatar(member.name, 40.dp)
        }
        Spacer(Modifier.width(12.dp))
        Column(Modifier.weight(1f), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Row(verticalAlignment = Alignment.CenterVertically) {
                if (member.notContact) NotContactMark(16.sp, Modifier.testTag("member-not-contact"))
                Text(
                    member.label,
                    style = MaterialTheme.typography.bodyLarge,
                    fontWeight = if (member.isMe) FontWeight.SemiBold else FontWeight.Normal,
                    color = if (member.notContact) scheme.tertiary else scheme.onSurface,
                    modifier = Modifier.weight(1f, fill = false).testTag("member-label"),
                )
                if (member.isAdmin) {
                    Spacer(Modifier.width(6.dp))
                    Icon(
                        TincanIcons.Shield,
                        contentDescription = labels.admin,
                        tint = scheme.primary,
                        modifier = Modifier.size(with(LocalDensity.current) { 18.sp.toDp() }),
                    )
                }
            }
            if (member.canRemove && under) remove(Modifier.align(Alignment.End))
        }
        if (member.canRemove && !under) {
            Spacer(Modifier.width(8.dp))
            remove(Modifier)
        }
    }
}

/** A contact not yet in the room, with Add. */
@Composable
private fun AddRow(candidate: RoomCandidate, onAdd: () -> Unit) {
    val labels = LocalLabels.current
    val under = buttonUnderName()
    val add: @Composable (Modifier) -> Unit = { modifier ->
        Button(
            onClick = onAdd,
            modifier = modifier.heightIn(min = 40.dp).testTag("add-${candidate.conversation}"),
        ) { Text(labels.add) }
    }
    Row(
        Modifier.fillMaxWidth().heightIn(min = 56.dp).padding(vertical = 6.dp).testTag("addable-${candidate.conversation}"),
        verticalAlignment = Alignment.CenterVertically,
    ) {
        InitialAvatar(candidate.name, 40.dp)
        Spacer(Modifier.width(12.dp))
        Column(Modifier.weight(1f), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            NameAndStatus(candidate.name, candidate.status)
            if (under) add(Modifier.align(Alignment.End))
        }
        if (!under) {
            Spacer(Modifier.width(8.dp))
            add(Modifier)
        }
    }
}

/**
 * The mark before the name of someone in the room who is not your contact (the core
 * says who, `notContact`): an info icon in the colour the name takes. Sized in sp so
 * it grows with the person's text size, as the name beside it does.
 */
@Composable
private fun NotContactMark(size: TextUnit, modifier: Modifier = Modifier) {
    val side = with(LocalDensity.current) { size.toDp() }
    Icon(
        Icons.Filled.Info,
        contentDescription = null,
        tint = MaterialTheme.colorScheme.tertiary,
        modifier = modifier.size(side),
    )
    Spacer(Modifier.width(4.dp))
}
