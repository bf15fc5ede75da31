package app.tincan.ui

import androidx.compose.runtime.Immutable
import androidx.compose.runtime.staticCompositionLocalOf

/**
 * The few words the shell owns: button labels, screen titles, descriptions for screen
 * readers. Everything else a person reads comes from the core's view.
 *
 * English defaults here; the Android app builds it from its resources with [from] and
 * the keys of `src/main/res/values/strings.xml` (each field's name in snake_case, a
 * test keeps the two in step), e.g.
 * `Labels.from { key -> getString(resources.getIdentifier(key, "string", packageName)) }`.
 */
@Immutable
data class Labels(
    val appTitle: String = "Tincan",
    val back: String = "Back",
    val settings: String = "Settings",
    val invite: String = "Invite",
    val pasteCode: String = "Paste a code",
    val scan: String = "Scan",
    val emptyTitle: String = "No conversations yet",
    val emptyBody: String = "Invite someone, or open a code someone sent you.",
    val pasteFieldLabel: String = "Code or message",
    val pasteFromClipboard: String = "Paste from clipboard",
    val open: String = "Open",
    val cancel: String = "Cancel",
    val dismiss: String = "Dismiss",
    /** A row's unread badge for screen readers; `%1$d` is the count. */
    val unreadCount: String = "%1\$d unread",
    val verified: String = "Verified",
    val notVerified: String = "Not verified",
    val inviteTitle: String = "Invite",
    val protection: String = "Protection",
    val protectionQuestion: String = "Question",
    val protectionInPerson: String = "In person",
    val protectionPrivate: String = "Private",
    val question: String = "Question",
    val answer: String = "Answer",
    val createInvite: String = "Create invite",
    val inviteCode: String = "Invite code",
    val qrCode: String = "QR code",
    val share: String = "Share",
    val copy: String = "Copy",
    val cancelInvite: String = "Cancel invite",
    val pasteReply: String = "Paste the reply",
    val scanReply: String = "Scan the reply",
    val joinTitle: String = "Answer an invite",
    val yourAnswer: String = "Your answer",
    val submitAnswer: String = "Answer",
    val yourReply: String = "Your reply",
    val working: String = "Working",
    val send: String = "Send",
    val loadEarlier: String = "Show earlier messages",
    val makeFollowUpCode: String = "Make follow-up code",
    val followUpCode: String = "Follow-up code",
    val contactDetails: String = "Contact details",
    val moreOptions: String = "More options",
    val endConversation: String = "End conversation",
    val endConversationConfirm: String = "End this conversation for good?",
    val compareSafetyNumbers: String = "Compare safety numbers",
    val safetyNumber: String = "Safety number",
    val scanTheirCode: String = "Scan their code",
    val markVerified: String = "Mark as verified",
    val markNotVerified: String = "Mark as not verified",
    val acceptNewKey: String = "Accept new key",
    val warning: String = "Warning",
    val settingsTitle: String = "Settings",
    val displayName: String = "Your name",
    val stunServers: String = "STUN servers",
    val stunServersPlaceholder: String = "host:port, one per line",
    val inviteLifetime: String = "Invites stay valid (hours)",
    val save: String = "Save",
    val scanTitle: String = "Scan a code",
    val scanSafetyTitle: String = "Scan a safety number",
    val cameraPreview: String = "Camera preview",
) {
    /** [unreadCount] with the count filled in. */
    fun unread(count: Int): String = unreadCount.replace("%1\$d", count.toString())

    companion object {
        /** Builds the labels from string resources named like the fields, in snake_case. */
        fun from(get: (key: String) -> String) = Labels(
            appTitle = get("app_title"),
            back = get("back"),
            settings = get("settings"),
            invite = get("invite"),
            pasteCode = get("paste_code"),
            scan = get("scan"),
            emptyTitle = get("empty_title"),
            emptyBody = get("empty_body"),
            pasteFieldLabel = get("paste_field_label"),
            pasteFromClipboard = get("paste_from_clipboard"),
            open = get("open"),
            cancel = get("cancel"),
            dismiss = get("dismiss"),
            unreadCount = get("unread_count"),
            verified = get("verified"),
            notVerified = get("not_verified"),
            inviteTitle = get("invite_title"),
            protection = get("protection"),
            protectionQuestion = get("protection_question"),
            protectionInPerson = get("protection_in_person"),
            protectionPrivate = get("protection_private"),
            question = get("question"),
            answer = get("answer"),
            createInvite = get("create_invite"),
            inviteCode = get("invite_code"),
            qrCode = get("qr_code"),
            share = get("share"),
            copy = get("copy"),
            cancelInvite = get("cancel_invite"),
            pasteReply = get("paste_reply"),
            scanReply = get("scan_reply"),
            joinTitle = get("join_title"),
            yourAnswer = get("your_answer"),
            submitAnswer = get("submit_answer"),
            yourReply = get("your_reply"),
            working = get("working"),
            send = get("send"),
            loadEarlier = get("load_earlier"),
            makeFollowUpCode = get("make_follow_up_code"),
            followUpCode = get("follow_up_code"),
            contactDetails = get("contact_details"),
            moreOptions = get("more_options"),
            endConversation = get("end_conversation"),
            endConversationConfirm = get("end_conversation_confirm"),
            compareSafetyNumbers = get("compare_safety_numbers"),
            safetyNumber = get("safety_number"),
            scanTheirCode = get("scan_their_code"),
            markVerified = get("mark_verified"),
            markNotVerified = get("mark_not_verified"),
            acceptNewKey = get("accept_new_key"),
            warning = get("warning"),
            settingsTitle = get("settings_title"),
            displayName = get("display_name"),
            stunServers = get("stun_servers"),
            stunServersPlaceholder = get("stun_servers_placeholder"),
            inviteLifetime = get("invite_lifetime"),
            save = get("save"),
            scanTitle = get("scan_title"),
            scanSafetyTitle = get("scan_safety_title"),
            cameraPreview = get("camera_preview"),
        )
    }
}

/** The shell's words for the screens below; English unless the app provides others. */
val LocalLabels = staticCompositionLocalOf { Labels() }
