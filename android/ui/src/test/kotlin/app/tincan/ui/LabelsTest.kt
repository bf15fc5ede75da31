package app.tincan.ui

import org.junit.jupiter.api.Test
import org.w3c.dom.Element
import java.io.File
import javax.xml.parsers.DocumentBuilderFactory
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * [Labels] and `src/main/res/values/strings.xml` say the same: one string per field,
 * named like the field in snake_case, with the same English text, and [Labels.from]
 * reads every key.
 */
class LabelsTest {
    private val xml = File("src/main/res/values/strings.xml")

    private fun strings(): Map<String, String> {
        val doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml)
        val nodes = doc.getElementsByTagName("string")
        return (0 until nodes.length).associate { i ->
            val e = nodes.item(i) as Element
            e.getAttribute("name") to unescapeAndroid(e.textContent)
        }
    }

    /** Android's escapes in string resources (`\'`, `\"`, `\n`, `\@`, `\?`, `\\`). */
    private fun unescapeAndroid(s: String): String =
        Regex("""\\(.)""").replace(s) { m -> if (m.groupValues[1] == "n") "\n" else m.groupValues[1] }

    private fun snake(name: String) = name.replace(Regex("[A-Z]")) { "_" + it.value.lowercase() }

    private val fields: List<String> =
        Labels::class.java.declaredFields
            .filter { !java.lang.reflect.Modifier.isStatic(it.modifiers) && it.type == String::class.java }
            .map { it.name }

    @Test
    fun everyFieldHasAStringAndEveryStringAField() {
        assertTrue(xml.isFile, "missing ${xml.absolutePath}")
        val keys = strings().keys
        val expected = fields.map(::snake).toSet()
        assertEquals(fields.size, expected.size)
        assertEquals(emptySet(), expected - keys, "Labels fields without a string in strings.xml")
        assertEquals(emptySet(), keys - expected, "strings in strings.xml without a Labels field")
    }

    @Test
    fun theResourcesBuildTheEnglishDefaults() {
        val xml = strings()
        val read = mutableSetOf<String>()
        val built = Labels.from { key -> read += key; xml[key] ?: error("no string '$key' in strings.xml") }
        assertEquals(Labels(), built, "strings.xml and the defaults in Labels differ")
        assertEquals(xml.keys, read, "Labels.from does not read every string")
    }
}
