package app.tincan.ui

import androidx.compose.foundation.border
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.WindowInsets
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.navigationBars
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.widthIn
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.windowInsetsPadding
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.style.TextAlign
import androidx.compose.ui.unit.dp
import app.tincan.ffi.Action
import app.tincan.ffi.ScanPurpose
import app.tincan.ffi.ScanView

/**
 * The camera reading a code: [cameraPreview] is the platform's (CameraX on Android; its
 * frames go to `AppModel.scanFrame`), under a viewfinder and the core's hint.
 */
@Composable
fun ScanContent(
    view: ScanView,
    canGoBack: Boolean,
    onAction: (Action) -> Unit,
    cameraPreview: @Composable () -> Unit,
    modifier: Modifier = Modifier,
) {
    val labels = LocalLabels.current
    val title = when (view.purpose) {
        ScanPurpose.ANY_CODE -> labels.scanTitle
        ScanPurpose.SAFETY_NUMBER -> labels.scanSafetyTitle
    }
    ScreenScaffold(
        topBar = { TopBar(title, canGoBack, onBack = { onAction(Action.Back) }) },
    ) { padding ->
        Box(
            modifier
                .fillMaxSize()
                .padding(padding)
                .testTag("scan-screen"),
        ) {
            Box(
                Modifier
                    .fillMaxSize()
                    .semantics { contentDescription = labels.cameraPreview },
                contentAlignment = Alignment.Center,
            ) { cameraPreview() }
            Box(
                Modifier
                    .align(Alignment.Center)
                    .padding(40.dp)
                    .widthIn(max = 300.dp)
                    .fillMaxWidth()
                    .aspectRatio(1f)
                    .border(3.dp, Color.White.copy(alpha = 0.9f), RoundedCornerShape(24.dp)),
            )
            Surface(
                color = Color.Black.copy(alpha = 0.6f),
                contentColor = Color.White,
                shape = RoundedCornerShape(16.dp),
                modifier = Modifier
                    .align(Alignment.BottomCenter)
                    .windowInsetsPadding(WindowInsets.navigationBars)
                    .padding(Gap)
                    .fillMaxWidth(),
            ) {
                Text(
                    view.hint,
                    style = MaterialTheme.typography.bodyLarge,
                    textAlign = TextAlign.Center,
                    modifier = Modifier.padding(Gap),
                )
            }
        }
    }
}
