package app.tincan.android

import android.Manifest
import android.app.PendingIntent
import android.content.Intent
import android.content.pm.LabeledIntent
import android.content.pm.PackageManager
import android.graphics.drawable.Icon
import android.net.Uri
import android.os.Build
import android.os.Bundle
import android.service.chooser.ChooserAction
import androidx.activity.ComponentActivity
import androidx.activity.compose.BackHandler
import androidx.activity.compose.setContent
import androidx.activity.enableEdgeToEdge
import androidx.activity.result.PickVisualMediaRequest
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.runtime.getValue
import androidx.core.content.ContextCompat
import androidx.core.content.IntentCompat
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.lifecycle.lifecycleScope
import app.tincan.ffi.Action
import app.tincan.ffi.Source
import app.tincan.ui.Labels
import app.tincan.ui.LocalImageDecoder
import app.tincan.ui.LocalLabels
import app.tincan.ui.PickKind
import app.tincan.ui.TincanApp
import app.tincan.ui.TincanTheme
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch

/**
 * The one screen: renders the core's view with the `ui` module and hands it what comes
 * from Android — the back gesture, being on screen or not, shares and `tincan:` links,
 * notification taps, pictures picked or shared, the share sheet going out.
 */
class MainActivity : ComponentActivity() {
    private val pickImage = registerForActivityResult(ActivityResultContracts.PickVisualMedia()) { uri ->
        if (uri != null) receiveImage(uri)
    }
    private val pickMedia = registerForActivityResult(ActivityResultContracts.PickVisualMedia()) { uri ->
        if (uri != null) attach(uri)
    }
    private val pickAnyFile = registerForActivityResult(ActivityResultContracts.GetContent()) { uri ->
        if (uri != null) attach(uri)
    }
    private val askForNotifications = registerForActivityResult(ActivityResultContracts.RequestPermission()) {}

    override fun onCreate(savedInstanceState: Bundle?) {
        enableEdgeToEdge()
        super.onCreate(savedInstanceState)
        val state = tincan.state
        // The ui module's words, from its string resources (translatable like any other).
        val labels = Labels.from { key -> getString(resources.getIdentifier(key, "string", packageName)) }
        setContent {
            val view by state.view.collectAsStateWithLifecycle()
            BackHandler(enabled = view.canGoBack) { state.dispatch(Action.Back) }
            CompositionLocalProvider(LocalLabels provides labels, LocalImageDecoder provides Files.decodeImage) {
                TincanTheme {
                    TincanApp(
                        view = view,
                        onAction = state::dispatch,
                        onShare = { share(it) },
                        cameraPreview = { QrScanner(tincan.model, onPickImage = { pickPicture() }) },
                        onPickFile = { kind ->
                            when (kind) {
                                PickKind.PHOTO -> pickMedia.launch(
                                    PickVisualMediaRequest(ActivityResultContracts.PickVisualMedia.ImageAndVideo),
                                )
                                PickKind.FILE -> pickAnyFile.launch("*/*")
                            }
                        },
                        onOpenFile = { Files.open(this@MainActivity, it) },
                    )
                }
            }
        }
        addOnNewIntentListener { handle(it) }
        // A recreated activity (rotation, process restored) has done this already.
        if (savedInstanceState == null) {
            handle(intent)
            // Messages and the "staying connected" notice are notifications.
            if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.TIRAMISU &&
                ContextCompat.checkSelfPermission(this, Manifest.permission.POST_NOTIFICATIONS) !=
                PackageManager.PERMISSION_GRANTED
            ) {
                askForNotifications.launch(Manifest.permission.POST_NOTIFICATIONS)
            }
        }
    }

    override fun onStart() {
        super.onStart()
        tincan.model.setUtcOffset(utcOffsetMinutes())
        tincan.state.dispatch(Action.SetVisible(true))
    }

    override fun onStop() {
        tincan.state.dispatch(Action.SetVisible(false))
        super.onStop()
    }

    /** What Android opened the app with: each text or picture goes to the core as it came. */
    private fun handle(intent: Intent?) {
        if (intent == null) return
        val dispatch = tincan.state::dispatch
        val conversation = intent.getStringExtra(Notifications.EXTRA_CONVERSATION)
        when {
            conversation != null -> dispatch(Action.OpenConversation(conversation))
            intent.action == Intent.ACTION_SEND -> {
                val image = IntentCompat.getParcelableExtra(intent, Intent.EXTRA_STREAM, Uri::class.java)
                val text = intent.getCharSequenceExtra(Intent.EXTRA_TEXT)?.toString()
                if (image != null && intent.type?.startsWith("image/") == true) {
                    receiveImage(image)
                } else if (text != null) {
                    dispatch(Action.Received(text, Source.SHARE))
                }
            }
            intent.action == Intent.ACTION_VIEW -> intent.dataString?.let { dispatch(Action.Received(it, Source.LINK)) }
            intent.action == ACTION_SHARE_QR_PICTURE -> intent.getStringExtra(Intent.EXTRA_TEXT)?.let { shareQrPicture(it) }
        }
    }

    /** A shared or picked picture's bytes (read off the main thread) to the core. */
    private fun receiveImage(uri: Uri) {
        lifecycleScope.launch(Dispatchers.IO) {
            tincan.state.dispatch(Action.ReceivedImage(Share.readImage(this@MainActivity, uri)))
        }
    }

    /** A picked photo or file: copied into the cache (off the main thread), then to the core. */
    private fun attach(uri: Uri) {
        lifecycleScope.launch(Dispatchers.IO) {
            val copy = Files.copyToCache(this@MainActivity, uri) ?: return@launch
            tincan.state.dispatch(Action.PickFile(copy.path))
        }
    }

    private fun pickPicture() {
        pickImage.launch(PickVisualMediaRequest(ActivityResultContracts.PickVisualMedia.ImageOnly))
    }

    /**
     * The share sheet with the code's line as text. When the line has a QR, the sheet
     * also offers "QR picture" (a custom action from Android 14, a first target before),
     * which comes back here as [ACTION_SHARE_QR_PICTURE].
     */
    private fun share(text: String) {
        val chooser = Intent.createChooser(Share.textIntent(text), null)
        if (Share.hasQrPicture(tincan.state.view.value, text)) {
            val again = Intent(this, MainActivity::class.java)
                .setAction(ACTION_SHARE_QR_PICTURE)
                .putExtra(Intent.EXTRA_TEXT, text)
            val label = getString(R.string.share_qr_picture)
            if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.UPSIDE_DOWN_CAKE) {
                val pending = PendingIntent.getActivity(
                    this, 0, again, PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT,
                )
                val action = ChooserAction.Builder(Icon.createWithResource(this, R.drawable.ic_qr), label, pending)
                    .build()
                chooser.putExtra(Intent.EXTRA_CHOOSER_CUSTOM_ACTIONS, arrayOf(action))
            } else {
                chooser.putExtra(
                    Intent.EXTRA_INITIAL_INTENTS,
                    arrayOf(LabeledIntent(again, packageName, label, R.drawable.ic_qr)),
                )
            }
        }
        startActivity(chooser)
    }

    /** The code's QR as a PNG with its line, for another phone to scan off a screen. */
    private fun shareQrPicture(text: String) {
        val intent = Share.qrPictureIntent(this, tincan.state.view.value, text) ?: return
        startActivity(Intent.createChooser(intent, null))
    }

    private companion object {
        const val ACTION_SHARE_QR_PICTURE = "app.tincan.action.SHARE_QR_PICTURE"
    }
}
