package app.tincan.ui.screens

import androidx.compose.ui.graphics.toComposeImageBitmap
import app.tincan.ffi.AppView
import app.tincan.ffi.AttachmentState
import app.tincan.ffi.AttachmentView
import app.tincan.ffi.PickedFileView
import app.tincan.ffi.Banner
import app.tincan.ffi.BannerKind
import app.tincan.ffi.Connection
import app.tincan.ffi.ContactView
import app.tincan.ffi.ConversationItem
import app.tincan.ffi.ConversationRow
import app.tincan.ffi.ConversationView
import app.tincan.ffi.Delivery
import app.tincan.ffi.FollowUpOffer
import app.tincan.ffi.IntroduceCandidate
import app.tincan.ffi.IntroduceView
import app.tincan.ffi.IntroductionRow
import app.tincan.ffi.IntroductionStage
import app.tincan.ffi.InviteStage
import app.tincan.ffi.InviteView
import app.tincan.ffi.JoinStage
import app.tincan.ffi.JoinView
import app.tincan.ffi.KeepAlive
import app.tincan.ffi.Notice
import app.tincan.ffi.ProtectionChoice
import app.tincan.ffi.NetworkView
import app.tincan.ffi.NewRoomView
import app.tincan.ffi.RelayRow
import app.tincan.ffi.RoomCandidate
import app.tincan.ffi.RoomMemberView
import app.tincan.ffi.RoomPostView
import app.tincan.ffi.RoomRow
import app.tincan.ffi.RoomView
import app.tincan.ffi.RowKind
import app.tincan.ffi.ScanPurpose
import app.tincan.ffi.ScanView
import app.tincan.ffi.Screen
import app.tincan.ffi.SettingsView

/*
 * Fixed views for the screenshot tests: what the core would show, word for word (the
 * texts are copied from core/src/app), with no clock and no randomness.
 */

/** A code-looking text of [length] base32 characters, the same on every run. */
fun fakeCode(kind: Char, length: Int, seed: Long): String {
    val alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    var x = seed
    val body = StringBuilder()
    repeat(length) {
        x = (x * 6364136223846793005L + 1442695040888963407L)
        body.append(alphabet[((x ushr 33) and 31).toInt()])
    }
    return "TINCAN-${kind}1-$body"
}

val INVITE_CODE = fakeCode('I', 210, 1)
val REPLY_CODE = fakeCode('R', 223, 2)
val FOLLOW_UP_CODE = fakeCode('F', 120, 3)
const val SAFETY_NUMBER = "05521 31974 84420 90617 33258 71046 62811 45079 18362 57734 90281 36645"

fun appView(
    screen: Screen = Screen.Conversations,
    conversations: List<ConversationRow> = emptyList(),
    notice: Notice? = null,
    myName: String = "Ana",
    introductions: List<IntroductionRow> = emptyList(),
    rooms: List<RoomRow> = emptyList(),
) = AppView(
    revision = 1u,
    screen = screen,
    canGoBack = screen != Screen.Conversations,
    conversations = conversations,
    notice = notice,
    keepAlive = KeepAlive(needed = false, text = ""),
    alerts = emptyList(),
    myName = myName,
    introductions = introductions,
    rooms = rooms,
)

fun row(
    id: String,
    title: String,
    preview: String,
    time: String,
    connection: Connection,
    status: String,
    unread: Int = 0,
    verified: Boolean = false,
    kind: RowKind = RowKind.CHAT,
) = ConversationRow(id, kind, title, preview, time, unread.toUInt(), connection, status, verified)

/** A list with a chat in every connection state, a waiting invite and a waiting join. */
val ROWS = listOf(
    row("c-ben", "Ben", "Are you coming tonight? I can pick you up at the station", "14:05", Connection.CONNECTED, "connected", unread = 2, verified = true),
    row("i-1", "Invite: Where did we first meet?", "Waiting for the reply · Expires tomorrow at 14:02", "14:02", Connection.WAITING, "waiting for the other person", kind = RowKind.WAITING_INVITE),
    row("c-cleo", "Cleo", "You: See you Saturday!", "13:40", Connection.RECONNECTING, "reconnecting…"),
    row("j-1", "Reply sent", "Waiting for the inviter to load your reply · Expires today at 22:00", "12:15", Connection.WAITING, "waiting for the other person", kind = RowKind.WAITING_JOIN),
    row("c-dan", "Dan", "You: The photos are in the shared folder", "Yesterday", Connection.OFFLINE, "offline · 2 messages waiting"),
    row("c-new", "New contact", "Connecting…", "Yesterday", Connection.CONNECTING, "connecting…"),
    row("c-eve", "Eve", "Thanks for everything, goodbye", "3 Nov", Connection.ENDED, "conversation ended"),
)

private const val QUESTION_HELP =
    "Send the code through any messenger. Only someone who knows the answer can connect."
private const val IN_PERSON_HELP =
    "Show a QR code to the person next to you. No question: anyone who sees the code could use it, so only show it in person."

fun inviteView(
    stage: InviteStage = InviteStage.CHOOSE,
    protection: ProtectionChoice = ProtectionChoice.QUESTION,
    question: String = "",
    answer: String = "",
    strength: String = "",
    strengthWarning: Boolean = false,
    canCreate: Boolean = false,
    error: String? = null,
    code: String = "",
    instructions: String = "",
    expires: String = "",
) = InviteView(
    stage = stage,
    protection = protection,
    protectionHelp = if (protection == ProtectionChoice.IN_PERSON) IN_PERSON_HELP else QUESTION_HELP,
    question = question,
    answer = answer,
    strength = strength,
    strengthWarning = strengthWarning,
    canCreate = canCreate,
    error = error,
    inviteId = if (code.isEmpty()) "" else "i-1",
    code = code,
    shareText = if (code.isEmpty()) "" else "Join me on Tincan — open this in the Tincan app: $code",
    qrPayload = code,
    instructions = instructions,
    expires = expires,
    conversation = "",
)

val INVITE_CHOOSE = inviteView(
    question = "Where did we first meet?",
    answer = "At Rita's birthday in Lisbon",
    strength = "Someone who copies the codes cannot test guesses offline; whoever controls the channel gets one guess per attempt, and an invite is burned after 3 wrong answers. This answer is estimated at up to 31 bits; still, choose something only the other person knows.",
    canCreate = true,
)

val INVITE_WEAK = inviteView(
    question = "Favourite colour?",
    answer = "blue",
    strength = "Someone who copies the codes cannot test guesses offline; whoever controls the channel gets one guess per attempt, and an invite is burned after 3 wrong answers. This answer is estimated at up to 4 bits; it could be guessed in a handful of tries by someone who knows you.",
    strengthWarning = true,
    canCreate = true,
)

val INVITE_IN_PERSON = inviteView(
    protection = ProtectionChoice.IN_PERSON,
    strength = "No question: anyone who sees this code (it is meant for a QR code shown in person) can connect in your place. Only show it to the person in front of you.",
    canCreate = true,
)

val INVITE_WAITING = inviteView(
    stage = InviteStage.WAITING_FOR_REPLY,
    question = "Where did we first meet?",
    code = INVITE_CODE,
    instructions = "Send this invite through any messenger. When the reply comes back, share it to Tincan or paste it here. You can close the app meanwhile.",
    expires = "Expires tomorrow at 14:02",
)

val INVITE_CONNECTING = inviteView(
    stage = InviteStage.CONNECTING,
    question = "Where did we first meet?",
    code = INVITE_CODE,
    instructions = "Reply loaded. Connecting…",
    expires = "Expires tomorrow at 14:02",
)

fun joinView(
    stage: JoinStage = JoinStage.ANSWER,
    answer: String = "",
    error: String? = null,
    replyCode: String = "",
    instructions: String = "Type the answer. The person who invited you knows it too.",
    expires: String = "Expires tomorrow at 14:02",
) = JoinView(
    stage = stage,
    opened = "An invite with a question",
    question = "Where did we first meet?",
    answer = answer,
    canSubmit = stage == JoinStage.ANSWER && answer.isNotBlank(),
    error = error,
    replyCode = replyCode,
    shareText = if (replyCode.isEmpty()) "" else "My answer to your Tincan invite — open this in the Tincan app that made it: $replyCode",
    qrPayload = replyCode,
    instructions = instructions,
    expires = expires,
    conversation = if (replyCode.isEmpty()) "" else "c-ana",
)

/**
 * An error the joiner's phone can really show: the invite ran out while the answer was
 * being typed (only the inviter's phone learns of a wrong answer).
 */
val JOIN_EXPIRED = joinView(
    answer = "Lisbon",
    error = "This code has expired. Ask for a new one.",
    expires = "Expired",
)

val JOIN_REPLY = joinView(
    stage = JoinStage.SHOW_REPLY,
    replyCode = REPLY_CODE,
    instructions = "Send this reply back the way the invite came, or let them scan it. Keep Tincan open until you are connected.",
)

fun day(label: String) = ConversationItem.Day("day-$label", label)

private var seq = 0
fun msg(
    outgoing: Boolean,
    text: String,
    time: String,
    delivery: Delivery = if (outgoing) Delivery.READ else Delivery.INCOMING,
    attachment: AttachmentView? = null,
) =
    ConversationItem.Message(
        key = (++seq).toString(),
        outgoing = outgoing,
        text = text,
        time = time,
        delivery = delivery,
        deliveryLabel = when (delivery) {
            Delivery.QUEUED -> "Waiting to be sent"
            Delivery.SENT -> "Sent"
            Delivery.DELIVERED -> "Delivered"
            Delivery.READ -> "Read"
            Delivery.INCOMING -> ""
        },
        attachment = attachment,
    )

fun conversationView(
    connection: Connection = Connection.CONNECTED,
    subtitle: String = "connected",
    verified: Boolean = true,
    banner: Banner? = null,
    items: List<ConversationItem> = CHAT,
    hasEarlier: Boolean = false,
    canSend: Boolean = true,
    composerHint: String = "Message",
    followUp: FollowUpOffer? = null,
    title: String = "Ben",
    contact: String = "k-ben",
    canAttach: Boolean = canSend,
    picked: PickedFileView? = null,
) = ConversationView(
    id = "c-ben",
    title = title,
    subtitle = subtitle,
    connection = connection,
    verified = verified,
    banner = banner,
    items = items,
    hasEarlier = hasEarlier,
    canSend = canSend,
    composerHint = composerHint,
    followUp = followUp,
    contact = contact,
    canAttach = canAttach,
    picked = picked,
)

val CHAT = listOf(
    day("Yesterday"),
    msg(false, "Hi Ana! It's Ben. Did it work?", "21:14"),
    msg(true, "It did! No server in between, just our two phones.", "21:15"),
    msg(false, "Nice. Talk tomorrow?", "21:16"),
    day("Today"),
    msg(true, "Good morning ☀", "08:02", Delivery.READ),
    msg(false, "Are you coming tonight? I can pick you up at the station", "14:01"),
    msg(true, "Yes, around seven", "14:03", Delivery.DELIVERED),
    msg(true, "I'll bring the cake", "14:04", Delivery.SENT),
    msg(true, "Should I bring anything else?", "14:05", Delivery.QUEUED),
)

val CONVERSATION_CONNECTED = conversationView(hasEarlier = true)

val CONVERSATION_OFFLINE = conversationView(
    connection = Connection.OFFLINE,
    subtitle = "offline · 2 messages waiting",
    banner = Banner(
        BannerKind.OFFLINE,
        "Ben is not reachable right now (no route to the other phone). Messages wait and are sent when you are both back.",
    ),
    items = listOf(
        day("Today"),
        msg(false, "Are you coming tonight?", "14:01"),
        msg(true, "Yes, around seven", "14:03", Delivery.QUEUED),
        msg(true, "I'll bring the cake", "14:04", Delivery.QUEUED),
    ),
    composerHint = "Message — sent when Ben is back",
)

val CONVERSATION_KEY_CHANGED = conversationView(
    connection = Connection.OFFLINE,
    subtitle = "offline",
    verified = false,
    banner = Banner(
        BannerKind.KEY_CHANGED,
        "Ben's security key changed. Nothing is sent or received until you compare the new safety number with Ben and accept it. It may be a new phone, or someone else.",
    ),
    items = listOf(day("Yesterday"), msg(false, "Nice. Talk tomorrow?", "21:16")),
    canSend = false,
    composerHint = "Accept the new key to write again",
)

val CONVERSATION_FOLLOW_UP = conversationView(
    connection = Connection.CONNECTING,
    subtitle = "connecting…",
    verified = false,
    title = "New contact",
    contact = "",
    banner = Banner(BannerKind.CONNECTING, "Connecting for the first time…"),
    items = emptyList(),
    composerHint = "Message — sent when New contact is back",
    followUp = FollowUpOffer(
        explanation = "The connection does not come up by itself (often: different networks). Make a follow-up code and send it to the other person; when they open it in Tincan, you connect.",
        code = "",
        shareText = "",
    ),
)

val CONVERSATION_FOLLOW_UP_CODE = CONVERSATION_FOLLOW_UP.copy(
    followUp = FollowUpOffer(
        explanation = "Send this follow-up code to the other person. When they open it in Tincan, you connect.",
        code = FOLLOW_UP_CODE,
        shareText = "For our Tincan chat — open this in the Tincan app: $FOLLOW_UP_CODE",
    ),
)

val CONTACT_UNVERIFIED = ContactView(
    conversation = "c-ben",
    contact = "k-ben",
    name = "Ben",
    safetyNumber = SAFETY_NUMBER,
    safetyQr = "TINCAN-S1-" + fakeCode('S', 64, 4).substringAfter("1-"),
    verified = false,
    keyChanged = false,
    explanation = "Compare this number with the one on Ben's phone (in person or on a call), or scan Ben's code. If they match, nobody is in the middle.",
    introducedBy = "",
    canIntroduce = true,
    introductionsMade = emptyList(),
)

/** Introductions made to Ana: one waiting for her answer, one she accepted. */
val INTRODUCTIONS = listOf(
    IntroductionRow(
        id = "intro-1",
        stage = IntroductionStage.NEEDS_ANSWER,
        title = "Ben introduces Dana",
        detail = "Accept to talk with Dana directly, no codes needed. Dana is asked too. Expires Monday 7 December at 14:05",
        canAnswer = true,
    ),
    IntroductionRow(
        id = "intro-2",
        stage = IntroductionStage.WAITING_FOR_OTHER,
        title = "Cleo introduces Eli",
        detail = "You accepted. Waiting for Eli to accept · Expires Sunday 6 December at 09:30",
        canAnswer = false,
    ),
)

/** Dana, met through Ben, not verified yet; Ana introduced her to Cleo. */
val CONTACT_INTRODUCED = CONTACT_UNVERIFIED.copy(
    conversation = "c-dana",
    contact = "k-dana",
    name = "Dana",
    explanation = "Compare this number with the one on Dana's phone (in person or on a call), or scan Dana's code. If they match, nobody is in the middle.",
    introducedBy = "Introduced by Ben · not verified — compare safety numbers to be sure this is really Dana",
    introductionsMade = listOf("Introduced to Cleo · Dana accepted · Cleo has not answered yet"),
)

val INTRODUCE_PICKER = IntroduceView(
    conversation = "c-ben",
    name = "Ben",
    title = "Introduce Ben to…",
    explanation = "Pick who should meet Ben. Both are asked first; if both accept, their phones connect directly with no codes to send. You only pass on sealed details: you will not see how to reach them or what they say.",
    candidates = listOf(
        IntroduceCandidate("c-cleo", "Cleo", "reconnecting…", verified = false),
        IntroduceCandidate("c-dana", "Dana", "connected", verified = true),
        IntroduceCandidate("c-eli", "Eli", "offline", verified = false),
    ),
    empty = "",
)

val INTRODUCE_NOBODY = INTRODUCE_PICKER.copy(
    candidates = emptyList(),
    empty = "You have nobody else to introduce Ben to yet. Invite someone first; then you can introduce them.",
)

val CONTACT_KEY_CHANGED = CONTACT_UNVERIFIED.copy(
    keyChanged = true,
    explanation = "Ben now uses a different security key. If Ben got a new phone or reinstalled Tincan, compare the new safety number in person or on a call, then accept it. If not, someone may be pretending to be Ben: do not accept.",
)

val SETTINGS_ERROR = SettingsView(
    displayName = "Ana",
    stunServers = "stun.example.org",
    stunHelp = "Without a STUN server only phones on the same network (the same Wi-Fi) can connect. A STUN server you trust lets phones on different networks find each other; it sees your public address, never your messages.",
    inviteLifetimeHours = 24u,
    error = "\"stun.example.org\" is not a STUN server. Write one per line as host:port, e.g. stun.example.org:3478.",
)

val SCAN = ScanView(ScanPurpose.ANY_CODE, "Point the camera at the Tincan code on the other phone.")

/** Decodes photo previews on the desktop JVM (the Android app uses BitmapFactory). */
val desktopImageDecoder: (ByteArray) -> androidx.compose.ui.graphics.ImageBitmap? = { bytes ->
    org.jetbrains.skia.Image.makeFromEncoded(bytes).toComposeImageBitmap()
}

/** A 320×240 "beach" (sky, sea, sand) as the core's preview JPEG would be. */
val BEACH_JPEG: ByteArray by lazy {
    val img = java.awt.image.BufferedImage(320, 240, java.awt.image.BufferedImage.TYPE_INT_RGB)
    for (y in 0 until 240) for (x in 0 until 320) {
        val rgb = when {
            y < 110 -> java.awt.Color(110 + y / 3, 170 + y / 4, 230).rgb
            y < 160 -> java.awt.Color(20, 90 + (y - 110), 150 + (x % 40) / 8).rgb
            else -> java.awt.Color(225, 200 - (y - 160) / 4, 150).rgb
        }
        img.setRGB(x, y, rgb)
    }
    val out = java.io.ByteArrayOutputStream()
    javax.imageio.ImageIO.write(img, "jpg", out)
    out.toByteArray()
}

fun attachment(
    name: String,
    sizeText: String,
    state: AttachmentState,
    status: String,
    isPhoto: Boolean = false,
    outgoing: Boolean = false,
    progressPercent: UInt = 0u,
    preview: ByteArray? = null,
) = AttachmentView(
    id = "t-$name",
    name = name,
    sizeText = sizeText,
    mime = if (isPhoto) "image/jpeg" else "application/octet-stream",
    isPhoto = isPhoto,
    previewJpeg = preview,
    state = state,
    progressPercent = if (state == AttachmentState.COMPLETE) 100u else progressPercent,
    status = status,
    canAccept = !outgoing && state == AttachmentState.NEEDS_ANSWER,
    canDecline = !outgoing && state in setOf(AttachmentState.NEEDS_ANSWER, AttachmentState.TRANSFERRING),
    canOpen = !outgoing && state == AttachmentState.COMPLETE,
    path = if (!outgoing && state == AttachmentState.COMPLETE) "/data/files/received/$name" else "",
)

val FILES_CHAT = listOf(
    day("Today"),
    msg(false, "", "14:01", attachment = attachment(
        "beach.jpg", "2.1 MB", AttachmentState.COMPLETE, "2.1 MB", isPhoto = true, preview = BEACH_JPEG,
    )),
    msg(true, "Lovely! Here is the report", "14:02", Delivery.READ),
    msg(true, "", "14:02", Delivery.DELIVERED, attachment = attachment(
        "Quarterly report 2026.pdf", "40.0 MB", AttachmentState.TRANSFERRING, "12.0 MB of 40.0 MB",
        outgoing = true, progressPercent = 30u,
    )),
    msg(false, "", "14:05", attachment = attachment(
        "holiday-video.mp4", "48.3 MB", AttachmentState.NEEDS_ANSWER, "48.3 MB · Download it?",
    )),
    msg(false, "", "14:06", attachment = attachment(
        "notes.txt", "3.2 KB", AttachmentState.FAILED, "3.2 KB · Not received: the file arrived damaged",
    )),
)

val CONVERSATION_FILES = conversationView(items = FILES_CHAT)

val CONVERSATION_PICKED_PHOTO = conversationView(
    items = FILES_CHAT.take(3),
    picked = PickedFileView(
        name = "IMG_20261203_1402.jpg",
        sizeText = "3.4 MB",
        isPhoto = true,
        metadataNote = "Location and camera details are removed from the photo before it is sent.",
        keepMetadataLabel = "Keep location and camera details",
        keepMetadata = false,
        sendLabel = "Send photo",
    ),
)

/** Ana's rooms: one with unread posts, one quiet, one she was removed from. */
val ROOMS = listOf(
    RoomRow("r-picnic", "Saturday picnic", 4u, "4 members", "Dan (not your contact): Can I bring my sister?", "14:12", 2u, joined = true),
    RoomRow("r-books", "Book club", 3u, "3 members", "You: Next month: Middlemarch", "Yesterday", 0u, joined = true),
    RoomRow("r-flat", "Flat 3B", 2u, "2 members", "You are no longer in this room", "2 Dec", 0u, joined = false),
)

private const val ROOM_EXPLANATION =
    "Everyone you pick can read and write in the room. Posts travel only between members' phones, sealed for the members; members who are not connected to each other get them through the others."

val NEW_ROOM = NewRoomView(
    name = "Saturday picnic",
    explanation = ROOM_EXPLANATION,
    candidates = listOf(
        RoomCandidate("c-ben", "Ben", "connected", chosen = true),
        RoomCandidate("c-cleo", "Cleo", "reconnecting…", chosen = true),
        RoomCandidate("c-dana", "Dana", "connected", chosen = false),
        RoomCandidate("c-dan", "Dan", "offline · 2 messages waiting", chosen = false),
    ),
    empty = "",
    canCreate = true,
    error = null,
)

private var postSeq = 0
fun post(author: String, name: String, text: String, time: String, mine: Boolean = false, notContact: Boolean = false, readable: Boolean = true) =
    RoomPostView(
        key = "$author-${++postSeq}",
        author = author,
        authorName = name,
        mine = mine,
        notContact = notContact,
        text = if (readable) text else "No key for this post",
        readable = readable,
        time = time,
    )

fun member(key: String, name: String, admin: Boolean = false, me: Boolean = false, canRemove: Boolean = false, notContact: Boolean = false) =
    RoomMemberView(key, name, admin, me, if (admin) "$name · admin" else name, notContact, canRemove)

val ROOM_POSTS = listOf(
    post("k-ana", "you", "Who's in for Saturday? The park by the river, around noon", "13:58", mine = true),
    post("k-ben", "Ben", "In! I'll bring the cake", "14:02"),
    post("k-cleo", "Cleo", "", "14:05", readable = false),
    post("k-dan", "Dan (not your contact)", "Can I bring my sister?", "14:12", notContact = true),
    post("k-ana", "you", "Of course, the more the merrier", "14:13", mine = true),
)

/** Ana's room: she made it (admin); Dan was added by Ben, so he is not her contact. */
val ROOM = RoomView(
    id = "r-picnic",
    name = "Saturday picnic",
    subtitle = "4 members · you are an admin",
    joined = true,
    isAdmin = true,
    banner = "",
    posts = ROOM_POSTS,
    empty = "",
    members = listOf(
        member("k-ana", "You", admin = true, me = true),
        member("k-ben", "Ben", canRemove = true),
        member("k-cleo", "Cleo", canRemove = true),
        member("k-dan", "Dan (not your contact)", canRemove = true, notContact = true),
    ),
    canPost = true,
    composerHint = "Post to Saturday picnic",
    canAdd = true,
    addable = listOf(RoomCandidate("c-dana", "Dana", "connected", chosen = false)),
    canLeave = true,
)

val ROOM_EMPTY = ROOM.copy(
    posts = emptyList(),
    empty = "No posts yet. What you write reaches every member, through the others when you are not connected to them.",
)

/** Ben's view of a room Ana removed him from: what came before, nothing after. */
val ROOM_REMOVED = RoomView(
    id = "r-flat",
    name = "Flat 3B",
    subtitle = "2 members",
    joined = false,
    isAdmin = false,
    banner = "You were removed from this room. What is posted from now on is sealed with keys you do not get.",
    posts = listOf(
        post("k-ana", "Ana", "Rent is due on Friday", "09:10"),
        post("k-ben", "you", "Paid mine", "09:31", mine = true),
        post("k-ana", "Ana", "", "11:02", readable = false),
    ),
    empty = "",
    members = listOf(member("k-ana", "Ana", admin = true), member("k-cleo", "Cleo")),
    canPost = false,
    composerHint = "You are no longer in this room",
    canAdd = false,
    addable = emptyList(),
    canLeave = false,
)

val NETWORK = NetworkView(
    holding = true,
    holdingLabel = "Hold letters for contacts who are offline",
    holdingHelp = "When a contact cannot reach another of your contacts, your phone keeps their sealed letters (at most a week) and hands them over when you meet the person. You cannot read them; you see who wrote to whom, when, and the size.",
    heldCount = 2u,
    heldBytes = 1229u,
    heldText = "Holding 2 letters (1.2 KB) for contacts who are offline.",
    relaysHelp = "Your phone passes on sealed connection details between two of your contacts who cannot reach each other directly. It cannot read them.",
    relays = listOf(
        RelayRow("14:05", "Ben", "Cleo", "812 B", "Ben → Cleo · 812 B · 14:05"),
        RelayRow("13:51", "Cleo", "Ben", "790 B", "Cleo → Ben · 790 B · 13:51"),
        RelayRow("09:12", "Dana", "a contact", "1.1 KB", "Dana → a contact · 1.1 KB · 09:12"),
    ),
    relaysEmpty = "",
)

val NETWORK_OFF = NETWORK.copy(
    holding = false,
    heldCount = 0u,
    heldBytes = 0u,
    heldText = "Holding no letters right now.",
    relays = emptyList(),
    relaysEmpty = "Nothing passed on lately.",
)
