package app.tincan.android

import android.app.Service
import android.content.Context
import android.content.Intent
import android.content.pm.ServiceInfo
import android.os.IBinder
import android.util.Log
import androidx.core.app.ServiceCompat
import androidx.core.content.ContextCompat
import kotlinx.coroutines.MainScope
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.distinctUntilChanged
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.launch

/**
 * Keeps the process running while the core says so (`view.keepAlive.needed`: contacts
 * connected, messages queued, a connection being made), with the ongoing notification
 * showing `keepAlive.text`. It holds nothing itself: the model lives in
 * [TincanApplication]; this only makes Android keep that process.
 *
 * Type `connectedDevice`: see android/README.md, "Staying connected".
 */
class KeepAliveService : Service() {
    private val scope = MainScope()

    override fun onCreate() {
        super.onCreate()
        running = true
        if (!goForeground()) return
        // The core decides when to stop; the notification follows its words.
        scope.launch {
            tincan.state.view.map { it.keepAlive }.distinctUntilChanged().collect { keepAlive ->
                if (keepAlive.needed) {
                    Notifications.updateKeepAlive(this@KeepAliveService, keepAlive.text)
                } else {
                    stopSelf()
                }
            }
        }
    }

    // Every start must be answered with startForeground (in time, and before any
    // stopSelf); sticky, so that if Android kills the process it restarts the service,
    // which reopens the model (TincanApplication) and so reconnects the contacts.
    override fun onStartCommand(intent: Intent?, flags: Int, startId: Int): Int {
        goForeground()
        return START_STICKY
    }

    override fun onBind(intent: Intent?): IBinder? = null

    override fun onDestroy() {
        scope.cancel()
        running = false
        super.onDestroy()
    }

    private fun goForeground(): Boolean = try {
        ServiceCompat.startForeground(
            this,
            Notifications.KEEP_ALIVE_ID,
            Notifications.keepAlive(this, tincan.state.view.value.keepAlive.text),
            // Ignored before Android 10.
            ServiceInfo.FOREGROUND_SERVICE_TYPE_CONNECTED_DEVICE,
        )
        true
    } catch (e: RuntimeException) {
        // Android 12+ refuses a foreground service started from the background (a
        // sticky restart, say); the app starts it again when it is next on screen.
        Log.w(TAG, "cannot run in the foreground: $e")
        stopSelf()
        false
    }

    companion object {
        private const val TAG = "Tincan"

        /** Set while the service exists (main thread only). */
        private var running = false

        /** Starts the service unless it runs; it stops itself when no longer needed. */
        fun start(context: Context) {
            if (running) return
            try {
                ContextCompat.startForegroundService(context, Intent(context, KeepAliveService::class.java))
            } catch (e: IllegalStateException) {
                // In the background on Android 12+ (ForegroundServiceStartNotAllowedException):
                // tried again with the next view, e.g. when the app comes back on screen.
                Log.w(TAG, "cannot start the keep-alive service now: $e")
            }
        }
    }
}
