package app.tincan.ui

import app.tincan.ffi.Action
import app.tincan.ffi.AppModel
import app.tincan.ffi.AppView
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch

/**
 * The app model as the screens hold it: the newest [AppView] as a [StateFlow], and
 * [dispatch] for what the person did.
 *
 * Views come from `model.updates().next()` awaited in [scope] (several changes in a row
 * arrive as one view). Actions run one at a time, in the order they were dispatched, on
 * [io]: `AppModel.dispatch` can take a moment (hardening an answer), and the fields'
 * edits must reach the core before the button pressed after them.
 *
 * The owner of [scope] ends both loops by cancelling it; the model itself is the
 * owner's to shut down.
 */
class AppState(
    private val model: AppModel,
    scope: CoroutineScope,
    io: CoroutineDispatcher = Dispatchers.IO,
) {
    private val views = MutableStateFlow(model.view())
    private val actions = Channel<Action>(Channel.UNLIMITED)

    /** The view to render; always the newest the core published. */
    val view: StateFlow<AppView> = views.asStateFlow()

    init {
        scope.launch(io) {
            model.updates().use { updates ->
                while (true) {
                    val next = updates.next() ?: break
                    // Revisions only grow; an older view never replaces a newer one.
                    if (next.revision >= views.value.revision) views.value = next
                }
            }
        }
        scope.launch(io) {
            try {
                for (action in actions) model.dispatch(action)
            } finally {
                actions.cancel()
            }
        }
    }

    /** Hands what the person did to the core; returns at once. */
    fun dispatch(action: Action) {
        actions.trySend(action)
    }
}
