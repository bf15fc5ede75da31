package app.tincan.ui

import androidx.compose.foundation.isSystemInDarkTheme
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.ButtonDefaults
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.TextField
import androidx.compose.material3.darkColorScheme
import androidx.compose.material3.lightColorScheme
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.assertTextEquals
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.runComposeUiTest
import androidx.compose.ui.unit.dp
import app.tincan.ffi.looksLikeCode
import app.tincan.ui.screenshot.comparePngs
import app.tincan.ui.screenshot.renderPng
import app.tincan.ui.screenshot.snapshot
import org.junit.Rule
import org.junit.jupiter.api.Test
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/** A stand-in for a real screen: a card with a text and a button, themed by the system. */
@Composable
private fun SampleCard(label: String = "Send", buttonColor: Color? = null) {
    val scheme = if (isSystemInDarkTheme()) darkColorScheme() else lightColorScheme()
    MaterialTheme(colorScheme = scheme) {
        Surface(Modifier.fillMaxSize()) {
            Card(Modifier.fillMaxWidth().padding(16.dp)) {
                Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
                    Text("Alice wants to chat", style = MaterialTheme.typography.titleMedium)
                    Text("Fingerprint 4F2A 91C0 7B3E", style = MaterialTheme.typography.bodyMedium)
                    Button(
                        onClick = {},
                        colors = buttonColor?.let { ButtonDefaults.buttonColors(containerColor = it) }
                            ?: ButtonDefaults.buttonColors(),
                    ) { Text(label) }
                }
            }
        }
    }
}

private const val W = 360
private const val H = 240

/** Proves the screenshot harness, Compose UI tests and the FFI on this JVM. */
class HarnessSelfTest {
    @Test
    fun lightScreenshot() = snapshot("harness-card-light", W, H) { SampleCard() }

    @Test
    fun darkScreenshot() = snapshot("harness-card-dark", W, H, dark = true) { SampleCard() }

    @Test
    fun largeFontScreenshot() = snapshot("harness-card-font1.6", W, H, fontScale = 1.6f) { SampleCard() }

    @Test
    fun renderIsRepeatableAndChangesAreCaught() {
        val base = renderPng(W, H) { SampleCard() }
        val again = renderPng(W, H) { SampleCard() }
        val same = comparePngs(base, again)
        assertTrue(same.matches && same.differingPixels == 0, "two renders differ: $same")

        // One character of a label.
        val label = comparePngs(base, renderPng(W, H) { SampleCard(label = "Sent") })
        assertFalse(label.matches, "a changed label went unnoticed: $label")
        // A colour.
        val colour = comparePngs(base, renderPng(W, H) { SampleCard(buttonColor = Color(0xFF2E7D32)) })
        assertFalse(colour.matches, "a changed colour went unnoticed: $colour")
        // Dark mode and font scale really change the render.
        assertFalse(comparePngs(base, renderPng(W, H, dark = true) { SampleCard() }).matches)
        assertFalse(comparePngs(base, renderPng(W, H, fontScale = 1.6f) { SampleCard() }).matches)
        // A different size is a mismatch, not a crash.
        assertFalse(comparePngs(base, renderPng(W, H + 8) { SampleCard() }).matches)
    }

    /** Compose UI test, framework-neutral API (works from JUnit 5). */
    @OptIn(ExperimentalTestApi::class)
    @Test
    fun typeClickAndRead() = runComposeUiTest {
        setContent { Greeter() }
        onNodeWithTag("name").performTextInput("Alice")
        onNodeWithText("Greet").performClick()
        onNodeWithTag("greeting").assertTextEquals("Hello, Alice!")
    }

    @Test
    fun generatedBindingsLoad() {
        assertFalse(looksLikeCode("hello"))
    }
}

/** The same UI test through the JUnit 4 rule (run by the JUnit vintage engine). */
class HarnessComposeRuleTest {
    @get:Rule
    val compose = createComposeRule()

    @org.junit.Test
    fun typeClickAndRead() {
        compose.setContent { Greeter() }
        compose.onNodeWithTag("name").performTextInput("Bob")
        compose.onNodeWithText("Greet").performClick()
        compose.onNodeWithTag("greeting").assertTextEquals("Hello, Bob!")
    }
}

@Composable
private fun Greeter() {
    var name by remember { mutableStateOf("") }
    var greeting by remember { mutableStateOf("") }
    MaterialTheme(colorScheme = lightColorScheme()) {
        Column {
            TextField(value = name, onValueChange = { name = it }, modifier = Modifier.testTag("name"))
            Button(onClick = { greeting = "Hello, $name!" }) { Text("Greet") }
            Text(greeting, Modifier.testTag("greeting"))
        }
    }
}
