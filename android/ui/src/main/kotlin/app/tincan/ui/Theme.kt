package app.tincan.ui

import androidx.compose.foundation.isSystemInDarkTheme
import androidx.compose.material3.ColorScheme
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Typography
import androidx.compose.material3.darkColorScheme
import androidx.compose.material3.lightColorScheme
import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.runtime.Immutable
import androidx.compose.runtime.staticCompositionLocalOf
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.text.TextStyle
import androidx.compose.ui.text.font.FontFamily
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.sp
import app.tincan.ffi.BannerKind
import app.tincan.ffi.Connection

/*
 * Tincan's look: a calm deep teal (the string between two tin cans) over cool
 * paper-white, with copper as the accent for things that wait. Dark theme is the same
 * palette at night, not an inversion.
 */

private val LightScheme = lightColorScheme(
    primary = Color(0xFF1E6A6E),
    onPrimary = Color(0xFFFFFFFF),
    primaryContainer = Color(0xFFB8ECEE),
    onPrimaryContainer = Color(0xFF002022),
    inversePrimary = Color(0xFF86D3D6),
    secondary = Color(0xFF4A6365),
    onSecondary = Color(0xFFFFFFFF),
    secondaryContainer = Color(0xFFCDE8E9),
    onSecondaryContainer = Color(0xFF051F21),
    tertiary = Color(0xFF8A5A2B),
    onTertiary = Color(0xFFFFFFFF),
    tertiaryContainer = Color(0xFFFFDCC0),
    onTertiaryContainer = Color(0xFF2E1500),
    background = Color(0xFFF6FAF9),
    onBackground = Color(0xFF171D1D),
    surface = Color(0xFFF6FAF9),
    onSurface = Color(0xFF171D1D),
    surfaceVariant = Color(0xFFDAE4E4),
    onSurfaceVariant = Color(0xFF3F4949),
    surfaceTint = Color(0xFF1E6A6E),
    inverseSurface = Color(0xFF2B3232),
    inverseOnSurface = Color(0xFFECF2F1),
    error = Color(0xFFBA1A1A),
    onError = Color(0xFFFFFFFF),
    errorContainer = Color(0xFFFFDAD6),
    onErrorContainer = Color(0xFF410002),
    outline = Color(0xFF6F7979),
    outlineVariant = Color(0xFFBEC8C8),
    scrim = Color(0xFF000000),
    surfaceBright = Color(0xFFF6FAF9),
    surfaceDim = Color(0xFFD6DBDA),
    surfaceContainerLowest = Color(0xFFFFFFFF),
    surfaceContainerLow = Color(0xFFF0F4F3),
    surfaceContainer = Color(0xFFEAEFEE),
    surfaceContainerHigh = Color(0xFFE4E9E8),
    surfaceContainerHighest = Color(0xFFDFE3E3),
)

private val DarkScheme = darkColorScheme(
    primary = Color(0xFF86D3D6),
    onPrimary = Color(0xFF003739),
    primaryContainer = Color(0xFF004F52),
    onPrimaryContainer = Color(0xFFB8ECEE),
    inversePrimary = Color(0xFF1E6A6E),
    secondary = Color(0xFFB1CCCD),
    onSecondary = Color(0xFF1C3436),
    secondaryContainer = Color(0xFF334B4D),
    onSecondaryContainer = Color(0xFFCDE8E9),
    tertiary = Color(0xFFFFB878),
    onTertiary = Color(0xFF4B2800),
    tertiaryContainer = Color(0xFF6C4316),
    onTertiaryContainer = Color(0xFFFFDCC0),
    background = Color(0xFF0F1415),
    onBackground = Color(0xFFDEE3E3),
    surface = Color(0xFF0F1415),
    onSurface = Color(0xFFDEE3E3),
    surfaceVariant = Color(0xFF3F4949),
    onSurfaceVariant = Color(0xFFBEC8C8),
    surfaceTint = Color(0xFF86D3D6),
    inverseSurface = Color(0xFFDEE3E3),
    inverseOnSurface = Color(0xFF2B3232),
    error = Color(0xFFFFB4AB),
    onError = Color(0xFF690005),
    errorContainer = Color(0xFF93000A),
    onErrorContainer = Color(0xFFFFDAD6),
    outline = Color(0xFF899393),
    outlineVariant = Color(0xFF3F4949),
    scrim = Color(0xFF000000),
    surfaceBright = Color(0xFF343A3A),
    surfaceDim = Color(0xFF0F1415),
    surfaceContainerLowest = Color(0xFF0A0F10),
    surfaceContainerLow = Color(0xFF171D1D),
    surfaceContainer = Color(0xFF1B2121),
    surfaceContainerHigh = Color(0xFF252B2B),
    surfaceContainerHighest = Color(0xFF303636),
)

/** Colours Material 3 has no role for: connection states, warnings, read ticks. */
@Immutable
data class TincanColors(
    val connected: Color,
    val connecting: Color,
    val offline: Color,
    val waiting: Color,
    val ended: Color,
    /** The ticks of a message the other person has read. */
    val readTick: Color,
    /** Banners that say "wait" rather than "wrong": reconnecting, connecting. */
    val cautionContainer: Color,
    val onCautionContainer: Color,
    /** QR codes stay dark on light in both themes, so any camera reads them. */
    val qrDark: Color = Color.Black,
    val qrLight: Color = Color.White,
)

private val LightExtra = TincanColors(
    connected = Color(0xFF2E7D4F),
    connecting = Color(0xFFB07400),
    offline = Color(0xFF7A8585),
    waiting = Color(0xFF8A5A2B),
    ended = Color(0xFFA3ACAC),
    readTick = Color(0xFF0B62B5),
    cautionContainer = Color(0xFFFFEFC6),
    onCautionContainer = Color(0xFF3A2C00),
)

private val DarkExtra = TincanColors(
    connected = Color(0xFF7CD6A0),
    connecting = Color(0xFFF2C063),
    offline = Color(0xFF8E9999),
    waiting = Color(0xFFFFB878),
    ended = Color(0xFF5F6969),
    readTick = Color(0xFF8CCBFF),
    cautionContainer = Color(0xFF463700),
    onCautionContainer = Color(0xFFFFE08A),
)

/** Tincan's own colours; [TincanTheme] provides them. */
val LocalTincanColors = staticCompositionLocalOf { LightExtra }

private val Base = Typography()

/** Material 3's type scale, a little firmer in the titles; sizes stay in sp. */
private val TincanTypography = Base.copy(
    titleLarge = Base.titleLarge.copy(fontWeight = FontWeight.SemiBold),
    titleMedium = Base.titleMedium.copy(fontWeight = FontWeight.SemiBold),
    labelLarge = Base.labelLarge.copy(fontWeight = FontWeight.SemiBold),
)

/** Codes and safety numbers: monospace, so groups line up and nothing is misread. */
val MonoStyle = TextStyle(fontFamily = FontFamily.Monospace, fontSize = 13.sp, lineHeight = 18.sp)

/** Tincan's Material 3 theme, light or dark as the system says. */
@Composable
fun TincanTheme(darkTheme: Boolean = isSystemInDarkTheme(), content: @Composable () -> Unit) {
    CompositionLocalProvider(LocalTincanColors provides if (darkTheme) DarkExtra else LightExtra) {
        MaterialTheme(
            colorScheme = if (darkTheme) DarkScheme else LightScheme,
            typography = TincanTypography,
            content = content,
        )
    }
}

/** The colour for a connection state (a dot, an icon). */
fun TincanColors.of(connection: Connection): Color = when (connection) {
    Connection.CONNECTED -> connected
    Connection.CONNECTING, Connection.RECONNECTING -> connecting
    Connection.OFFLINE -> offline
    Connection.WAITING -> waiting
    Connection.ENDED -> ended
}

/** Background and text colours of a conversation banner. */
@Composable
internal fun bannerColors(kind: BannerKind): Pair<Color, Color> {
    val scheme: ColorScheme = MaterialTheme.colorScheme
    val extra = LocalTincanColors.current
    return when (kind) {
        BannerKind.KEY_CHANGED -> scheme.errorContainer to scheme.onErrorContainer
        BannerKind.RECONNECTING, BannerKind.CONNECTING -> extra.cautionContainer to extra.onCautionContainer
        BannerKind.OFFLINE, BannerKind.ENDED -> scheme.surfaceContainerHighest to scheme.onSurfaceVariant
    }
}
