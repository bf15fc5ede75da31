package app.tincan.android

import android.Manifest
import android.app.Notification
import android.app.NotificationChannel
import android.app.NotificationManager
import android.app.PendingIntent
import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager
import android.net.Uri
import android.os.Build
import androidx.core.app.NotificationCompat
import androidx.core.app.NotificationManagerCompat
import androidx.core.app.RemoteInput
import androidx.core.content.ContextCompat
import app.tincan.ffi.Action
import app.tincan.ffi.Alert
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch

/**
 * The two kinds of notification: the ongoing one of [KeepAliveService], and one per
 * conversation for the core's alerts (`view.alerts`), with a reply field.
 */
object Notifications {
    const val KEEP_ALIVE_ID = 1
    private const val ALERT_ID = 2
    private const val CHANNEL_CONNECTION = "connection"
    private const val CHANNEL_MESSAGES = "messages"
    const val EXTRA_CONVERSATION = "app.tincan.extra.CONVERSATION"
    const val KEY_REPLY = "reply"

    /** The highest alert id posted in this process (main thread only). */
    private var posted = 0uL

    fun createChannels(context: Context) {
        val manager = context.getSystemService(NotificationManager::class.java)
        manager.createNotificationChannel(
            NotificationChannel(
                CHANNEL_CONNECTION,
                context.getString(R.string.channel_connection),
                NotificationManager.IMPORTANCE_LOW,
            ).apply { setShowBadge(false) },
        )
        manager.createNotificationChannel(
            NotificationChannel(
                CHANNEL_MESSAGES,
                context.getString(R.string.channel_messages),
                NotificationManager.IMPORTANCE_HIGH,
            ),
        )
    }

    fun keepAlive(context: Context, text: String): Notification =
        NotificationCompat.Builder(context, CHANNEL_CONNECTION)
            .setSmallIcon(R.drawable.ic_notification)
            .setContentTitle(context.getString(R.string.app_name))
            .setContentText(text)
            .setContentIntent(openApp(context, null))
            .setOngoing(true)
            .setSilent(true)
            .setCategory(NotificationCompat.CATEGORY_SERVICE)
            .build()

    fun updateKeepAlive(context: Context, text: String) {
        if (mayPost(context)) {
            NotificationManagerCompat.from(context).notify(KEEP_ALIVE_ID, keepAlive(context, text))
        }
    }

    /**
     * Posts the alerts not posted yet; returns the highest id to acknowledge with
     * `AlertsShown`, or null when there is nothing new. Without the notification
     * permission they are acknowledged all the same: the list shows them as unread.
     */
    fun postAlerts(context: Context, alerts: List<Alert>): ULong? {
        val fresh = alerts.filter { it.id > posted }
        if (fresh.isEmpty()) return null
        if (mayPost(context)) {
            val manager = NotificationManagerCompat.from(context)
            // One notification per conversation, showing its newest message.
            for (alert in fresh) manager.notify(alert.conversation, ALERT_ID, alertNotification(context, alert))
        }
        posted = fresh.maxOf { it.id }
        return posted
    }

    /** Removes a conversation's notification (after a reply from it). */
    fun cancelAlert(context: Context, conversation: String) =
        NotificationManagerCompat.from(context).cancel(conversation, ALERT_ID)

    private fun alertNotification(context: Context, alert: Alert): Notification {
        val reply = NotificationCompat.Action.Builder(
            R.drawable.ic_notification,
            context.getString(R.string.reply),
            PendingIntent.getBroadcast(
                context,
                0,
                conversationIntent(Intent(context, ReplyReceiver::class.java), alert.conversation),
                // Mutable: the system adds the typed text (RemoteInput) to it.
                PendingIntent.FLAG_UPDATE_CURRENT or PendingIntent.FLAG_MUTABLE,
            ),
        )
            .addRemoteInput(RemoteInput.Builder(KEY_REPLY).setLabel(context.getString(R.string.reply)).build())
            .setSemanticAction(NotificationCompat.Action.SEMANTIC_ACTION_REPLY)
            .setShowsUserInterface(false)
            .build()
        return NotificationCompat.Builder(context, CHANNEL_MESSAGES)
            .setSmallIcon(R.drawable.ic_notification)
            .setContentTitle(alert.title)
            .setContentText(alert.body)
            .setStyle(NotificationCompat.BigTextStyle().bigText(alert.body))
            .setCategory(NotificationCompat.CATEGORY_MESSAGE)
            .setPriority(NotificationCompat.PRIORITY_HIGH)
            .setContentIntent(openApp(context, alert.conversation))
            .setAutoCancel(true)
            .addAction(reply)
            .build()
    }

    /** Opens the app, on [conversation] if given (MainActivity reads the extra). */
    private fun openApp(context: Context, conversation: String?): PendingIntent {
        val intent = Intent(context, MainActivity::class.java).addFlags(Intent.FLAG_ACTIVITY_NEW_TASK)
        return PendingIntent.getActivity(
            context,
            0,
            if (conversation == null) intent else conversationIntent(intent, conversation),
            PendingIntent.FLAG_UPDATE_CURRENT or PendingIntent.FLAG_IMMUTABLE,
        )
    }

    // The data URI only keeps each conversation's PendingIntents apart (the system
    // compares intents by action, data and component, not by extras).
    private fun conversationIntent(intent: Intent, conversation: String): Intent = intent
        .setData(Uri.fromParts("tincan-conversation", conversation, null))
        .putExtra(EXTRA_CONVERSATION, conversation)

    private fun mayPost(context: Context): Boolean =
        Build.VERSION.SDK_INT < Build.VERSION_CODES.TIRAMISU ||
            ContextCompat.checkSelfPermission(context, Manifest.permission.POST_NOTIFICATIONS) ==
            PackageManager.PERMISSION_GRANTED
}

/** A reply typed into an alert's notification: `SendTo(conversation, text)`. */
class ReplyReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) {
        val conversation = intent.getStringExtra(Notifications.EXTRA_CONVERSATION) ?: return
        val text = RemoteInput.getResultsFromIntent(intent)
            ?.getCharSequence(Notifications.KEY_REPLY)?.toString() ?: return
        val app = context.tincan
        // The send is queued in the core's outbox (persisted) before the receiver
        // finishes, so the process may go right after.
        val pending = goAsync()
        app.scope.launch(Dispatchers.IO) {
            try {
                app.model.dispatch(Action.SendTo(conversation, text))
            } finally {
                pending.finish()
            }
        }
        Notifications.cancelAlert(context, conversation)
    }
}
