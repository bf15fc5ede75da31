// Phones for the app-model tests: each an AppModel in this JVM with its own data folder,
// driven as the phone apps drive it (actions dispatched off the caller's thread, views
// awaited from the update stream).
package app.tincan.ffi

import java.io.File
import java.nio.file.Files
import kotlin.test.fail
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeoutOrNull

/** The phones one test opened; [close] shuts them and deletes their folders. */
class AppPhones : AutoCloseable {
    private val opened = mutableListOf<AppModel>()
    private val dirs = mutableListOf<File>()

    /** A new phone with an empty folder, named [name] in its settings. */
    fun open(name: String, autoAcceptBytes: ULong? = null): AppPhone {
        val dir = Files.createTempDirectory("tincan-app-$name").toFile().also { dirs += it }
        return AppPhone(name, dir, MemorySecretStore(), autoAcceptBytes).also { opened += it.model }
    }

    /** Shuts [phone]'s model and opens its folder and secrets again, as after a reboot. */
    fun restart(phone: AppPhone): AppPhone {
        opened -= phone.model
        phone.model.shutdown()
        phone.model.close()
        return AppPhone(phone.name, phone.dir, phone.secrets, phone.autoAcceptBytes).also { opened += it.model }
    }

    override fun close() {
        opened.forEach { it.shutdown(); it.close() }
        dirs.forEach { it.deleteRecursively() }
    }
}

/** One phone: its model and its update stream. */
class AppPhone(val name: String, val dir: File, val secrets: SecretStore, val autoAcceptBytes: ULong?) {
    val model: AppModel = AppModel.open(
        AppOptions(dataDir = dir.path, utcOffsetMinutes = 60, loopbackOnly = true, autoAcceptBytes = autoAcceptBytes),
        secrets,
    )
    private val updates: AppUpdates = model.updates()
    var view: AppView = runBlocking { updates.next() } ?: fail("no first view")

    init {
        tap(Action.SaveSettings(displayName = name, stunServers = "", inviteLifetimeHours = 24u))
    }

    fun tap(action: Action) = runBlocking {
        withContext(Dispatchers.IO) { model.dispatch(action) }
        view = model.view()
    }

    /** Awaits views (bounded) until [pred] holds. */
    fun waitFor(what: String, pred: (AppView) -> Boolean): AppView = runBlocking {
        withTimeoutOrNull(30_000) {
            while (!pred(view)) {
                view = updates.next() ?: fail("the update stream ended")
            }
            view
        } ?: fail("no $what within 30 s; last view: $view")
    }

    /** Backs out to the list. */
    fun home() {
        while (view.canGoBack) tap(Action.Back)
    }
}

fun AppView.invite() = (screen as? Screen.Invite)?.view ?: fail("expected the invite screen, got $screen")
fun AppView.join() = (screen as? Screen.Join)?.view ?: fail("expected the join screen, got $screen")
fun AppView.chat() = (screen as? Screen.Conversation)?.view

/**
 * Connects two phones through the invite flow (a question, the reply pasted back) and
 * waits until both show the other connected; returns the inviter's conversation id.
 */
fun connect(inviter: AppPhone, joiner: AppPhone): String {
    inviter.home()
    inviter.tap(Action.StartInvite)
    inviter.tap(Action.EditInvite(question = "Where did we first meet?", answer = "Lisbon"))
    inviter.tap(Action.CreateInvite)
    joiner.tap(Action.Received(text = inviter.view.invite().shareText, source = Source.SHARE))
    joiner.tap(Action.EditJoinAnswer(answer = "lisbon"))
    joiner.tap(Action.SubmitJoin)
    inviter.tap(Action.Received(text = joiner.view.join().shareText, source = Source.PASTE))
    val v = inviter.waitFor("${joiner.name} connected") {
        it.chat()?.connection == Connection.CONNECTED && it.chat()?.title == joiner.name
    }
    joiner.waitFor("${inviter.name} connected") { it.chat()?.connection == Connection.CONNECTED }
    return v.chat()!!.id
}
