package app.tincan.android

import android.Manifest
import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager
import android.net.Uri
import android.provider.Settings
import android.util.Log
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.camera.core.CameraSelector
import androidx.camera.core.ImageAnalysis
import androidx.camera.core.ImageProxy
import androidx.camera.core.Preview
import androidx.camera.lifecycle.ProcessCameraProvider
import androidx.camera.view.PreviewView
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.FilledTonalButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.style.TextAlign
import androidx.compose.ui.unit.dp
import androidx.compose.ui.viewinterop.AndroidView
import androidx.core.content.ContextCompat
import androidx.lifecycle.compose.LifecycleResumeEffect
import androidx.lifecycle.compose.LocalLifecycleOwner
import app.tincan.ffi.AppModel
import java.util.concurrent.Executors
import java.util.concurrent.atomic.AtomicBoolean

/**
 * What fills the Scan screen's camera slot: the camera's frames go to the core's QR
 * reader (`scanFrame`) until it reads a code and moves on; a picture from the gallery
 * is the other way in. Asks for the camera, with the reason, when it may not use it.
 */
@Composable
fun QrScanner(model: AppModel, onPickImage: () -> Unit) {
    val context = LocalContext.current
    var granted by remember { mutableStateOf(cameraAllowed(context)) }
    var asked by rememberSaveable { mutableStateOf(false) }
    val ask = rememberLauncherForActivityResult(ActivityResultContracts.RequestPermission()) { ok ->
        granted = ok
        asked = true
    }
    // Granted in the system settings meanwhile?
    LifecycleResumeEffect(Unit) {
        granted = cameraAllowed(context)
        onPauseOrDispose { }
    }
    LaunchedEffect(Unit) {
        if (!granted && !asked) ask.launch(Manifest.permission.CAMERA)
    }
    Box(Modifier.fillMaxSize()) {
        if (granted) {
            CameraPreview(model)
        } else {
            Column(
                Modifier.align(Alignment.Center).padding(24.dp),
                horizontalAlignment = Alignment.CenterHorizontally,
                verticalArrangement = Arrangement.spacedBy(16.dp),
            ) {
                Text(
                    stringResource(R.string.camera_rationale),
                    style = MaterialTheme.typography.bodyLarge,
                    textAlign = TextAlign.Center,
                )
                // Once refused, Android may not ask again: the settings can still allow it.
                Button(onClick = { if (asked) openAppSettings(context) else ask.launch(Manifest.permission.CAMERA) }) {
                    Text(stringResource(R.string.camera_allow))
                }
            }
        }
        FilledTonalButton(
            onClick = onPickImage,
            // At the top: the Scan screen lays the core's hint over the bottom.
            modifier = Modifier.align(Alignment.TopCenter).padding(16.dp),
        ) {
            Text(stringResource(R.string.pick_picture))
        }
    }
}

/** The back camera's preview, its frames analysed until the core has read a code. */
@Composable
private fun CameraPreview(model: AppModel) {
    val context = LocalContext.current
    val lifecycleOwner = LocalLifecycleOwner.current
    val previewView = remember { PreviewView(context) }
    DisposableEffect(lifecycleOwner) {
        val executor = Executors.newSingleThreadExecutor()
        val done = AtomicBoolean(false)
        val preview = Preview.Builder().build()
        preview.setSurfaceProvider(previewView.surfaceProvider)
        val analysis = ImageAnalysis.Builder()
            .setBackpressureStrategy(ImageAnalysis.STRATEGY_KEEP_ONLY_LATEST)
            .setOutputImageFormat(ImageAnalysis.OUTPUT_IMAGE_FORMAT_YUV_420_888)
            .build()
        analysis.setAnalyzer(executor) { image ->
            image.use { if (!done.get() && scan(model, it)) done.set(true) }
        }
        var disposed = false
        val future = ProcessCameraProvider.getInstance(context)
        future.addListener({
            if (disposed) return@addListener
            try {
                val provider = future.get()
                val camera = if (provider.hasCamera(CameraSelector.DEFAULT_BACK_CAMERA)) {
                    CameraSelector.DEFAULT_BACK_CAMERA
                } else {
                    CameraSelector.DEFAULT_FRONT_CAMERA
                }
                provider.bindToLifecycle(lifecycleOwner, camera, preview, analysis)
            } catch (e: Exception) {
                Log.w("Tincan", "no camera to scan with: $e")
            }
        }, ContextCompat.getMainExecutor(context))
        onDispose {
            disposed = true
            if (future.isDone) runCatching { future.get().unbind(preview, analysis) }
            analysis.clearAnalyzer()
            executor.shutdown()
        }
    }
    AndroidView(factory = { previewView }, modifier = Modifier.fillMaxSize())
}

/** Hands the frame's luminance (Y) plane, rows `rowStride` bytes apart, to the core. */
private fun scan(model: AppModel, image: ImageProxy): Boolean {
    val plane = image.planes[0]
    val buffer = plane.buffer.duplicate().apply { rewind() }
    val luma = ByteArray(buffer.remaining()).also { buffer.get(it) }
    return model.scanFrame(image.width.toUInt(), image.height.toUInt(), plane.rowStride.toUInt(), luma)
}

private fun cameraAllowed(context: Context) =
    ContextCompat.checkSelfPermission(context, Manifest.permission.CAMERA) == PackageManager.PERMISSION_GRANTED

private fun openAppSettings(context: Context) = context.startActivity(
    Intent(Settings.ACTION_APPLICATION_DETAILS_SETTINGS, Uri.fromParts("package", context.packageName, null))
        .addFlags(Intent.FLAG_ACTIVITY_NEW_TASK),
)
