package app.tincan.android

import android.app.Application
import android.net.ConnectivityManager
import android.net.Network
import app.tincan.ffi.Action
import app.tincan.ffi.AppModel
import app.tincan.ffi.AppOptions
import app.tincan.ui.AppState
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.launch
import java.util.TimeZone

/**
 * The process: it holds the one [AppModel] (the core persists everything, so a killed
 * process loses nothing and the next one reopens where it was) and reacts to its views
 * while no screen is open: the keep-alive service and the message notifications.
 */
class TincanApplication : Application() {
    /** Lives as long as the process. */
    val scope = CoroutineScope(SupervisorJob() + Dispatchers.Main.immediate)

    lateinit var model: AppModel
        private set
    lateinit var state: AppState
        private set

    override fun onCreate() {
        super.onCreate()
        model = AppModel.open(
            AppOptions(dataDir = filesDir.path, utcOffsetMinutes = utcOffsetMinutes()),
            KeystoreSecretStore(this),
        )
        state = AppState(model, scope)
        Notifications.createChannels(this)
        scope.launch {
            state.view.collect { view ->
                if (view.keepAlive.needed) KeepAliveService.start(this@TincanApplication)
                Notifications.postAlerts(this@TincanApplication, view.alerts)
                    ?.let { upTo -> state.dispatch(Action.AlertsShown(upTo)) }
            }
        }
        getSystemService(ConnectivityManager::class.java)
            .registerDefaultNetworkCallback(object : ConnectivityManager.NetworkCallback() {
                override fun onAvailable(network: Network) = networkChanged()
                override fun onLost(network: Network) = networkChanged()
            })
    }

    /** A network came or went: contacts that are not connected are tried at once. */
    private fun networkChanged() = state.dispatch(Action.NetworkChanged)
}

/** The phone's offset from UTC now, in minutes (it changes with daylight saving time). */
fun utcOffsetMinutes(): Int = TimeZone.getDefault().getOffset(System.currentTimeMillis()) / 60_000

/** The application object, from any context. */
val android.content.Context.tincan: TincanApplication
    get() = applicationContext as TincanApplication
