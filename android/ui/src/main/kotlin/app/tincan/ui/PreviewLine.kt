package app.tincan.ui

import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.Spacer
import androidx.compose.foundation.layout.width
import androidx.compose.material3.Badge
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontStyle
import androidx.compose.ui.text.style.TextOverflow
import androidx.compose.ui.unit.dp

/**
 * The second line of a chat or room row: the last message and, when some are unread,
 * a badge with their count. One piece, so chats and rooms read the same way.
 */
@Composable
internal fun PreviewLine(text: String, unread: Int, italic: Boolean = false) {
    val scheme = MaterialTheme.colorScheme
    Row(verticalAlignment = Alignment.CenterVertically) {
        Text(
            text,
            style = MaterialTheme.typography.bodyMedium,
            fontStyle = if (italic) FontStyle.Italic else FontStyle.Normal,
            color = if (unread > 0) scheme.onSurface else scheme.onSurfaceVariant,
            maxLines = 2,
            overflow = TextOverflow.Ellipsis,
            modifier = Modifier.weight(1f),
        )
        if (unread > 0) {
            Spacer(Modifier.width(8.dp))
            val description = LocalLabels.current.unread(unread)
            Badge(
                containerColor = scheme.primary,
                contentColor = scheme.onPrimary,
                modifier = Modifier.semantics { contentDescription = description },
            ) {
                Text(unread.toString(), style = MaterialTheme.typography.labelMedium)
            }
        }
    }
}
