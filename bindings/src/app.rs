//! The app model as the phone apps hold it: one `AppModel` per app, its views awaited
//! through `AppUpdates.next()` (a Kotlin `suspend fun` / Swift `async func`, wrapped
//! in a `StateFlow` / `AsyncStream` by the shells), and the person's actions sent with
//! `dispatch`. Everything it decides is `tincan_core::app`'s; this only adapts.

use std::path::PathBuf;
use std::sync::Arc;

use tincan_core::app::{self as core, Action, AppView};
use tincan_core::link::LinkConfig;
use tincan_core::protect::argon;

use crate::secrets::{Adapter, SecretStore};
use crate::TincanError;

/// How the app model is opened.
#[derive(Debug, Clone, uniffi::Record)]
pub struct AppOptions {
    /// The app's private files directory.
    pub data_dir: String,
    /// The phone's time zone, minutes east of UTC.
    #[uniffi(default)]
    pub utc_offset_minutes: i32,
    /// Bind to 127.0.0.1 with the cheapest allowed answer hardening: for tests and
    /// demos on one machine. Apps leave it off.
    #[uniffi(default)]
    pub loopback_only: bool,
    /// Incoming files larger than this wait for the person's yes (default 25 MiB).
    #[uniffi(default)]
    pub auto_accept_bytes: Option<u64>,
}

/// The app model: the view to render and the actions to send. Methods may take a
/// moment (hardening an answer): call `dispatch` off the UI thread.
#[derive(uniffi::Object)]
pub struct AppModel {
    inner: core::App,
}

#[uniffi::export]
impl AppModel {
    /// Opens the app on its data directory with the platform's secret store, and
    /// reconnects known contacts.
    #[uniffi::constructor]
    pub fn open(
        options: AppOptions,
        secret_store: Arc<dyn SecretStore>,
    ) -> Result<Arc<Self>, TincanError> {
        if options.data_dir.trim().is_empty() {
            return Err(TincanError::InvalidInput(
                "The app gave Tincan no data directory.".into(),
            ));
        }
        let mut config = core::AppConfig::new(
            PathBuf::from(options.data_dir),
            Arc::new(Adapter(secret_store)),
        );
        config.utc_offset_minutes = options.utc_offset_minutes;
        if let Some(bytes) = options.auto_accept_bytes {
            config.files.auto_accept_bytes = bytes;
        }
        if options.loopback_only {
            config.link = LinkConfig::loopback();
            config.argon = argon::FLOOR;
        }
        Ok(Arc::new(Self {
            inner: core::App::open(config)?,
        }))
    }

    /// The view as it is now.
    pub fn view(&self) -> AppView {
        self.inner.view()
    }

    /// A stream of views: the current one first, then one per change.
    pub fn updates(&self) -> Arc<AppUpdates> {
        Arc::new(AppUpdates {
            updates: tokio::sync::Mutex::new(self.inner.updates()),
        })
    }

    /// Does what the person did; the new view follows on every update stream.
    pub fn dispatch(&self, action: Action) {
        self.inner.dispatch(action);
    }

    /// One camera frame's luminance plane (`row_stride` bytes per row); true once a
    /// code was read and handled, so the camera can close.
    pub fn scan_frame(&self, width: u32, height: u32, row_stride: u32, luma: Vec<u8>) -> bool {
        self.inner.scan_frame(width, height, row_stride, &luma)
    }

    /// The phone's time zone changed.
    pub fn set_utc_offset(&self, minutes: i32) {
        self.inner.set_utc_offset(minutes);
    }

    /// Says goodbye to every contact and stops; views still render what is stored.
    pub fn shutdown(&self) {
        self.inner.shutdown();
    }
}

/// Views as they change, awaited: `model.updates()`. Ends (`null`/`nil`) when the
/// model is gone. Cancelling a wait loses nothing: the next call returns the newest view.
#[derive(uniffi::Object)]
pub struct AppUpdates {
    updates: tokio::sync::Mutex<core::Updates>,
}

#[uniffi::export]
impl AppUpdates {
    /// Waits for the next view without holding a thread.
    pub async fn next(&self) -> Option<AppView> {
        self.updates.lock().await.next().await
    }
}

/// The largest picture (in bytes) the app model looks at for a code: read at most one
/// byte more than this, and pass what was read to `Action.ReceivedImage` — the core
/// tells the person when it was too large or could not be read.
#[uniffi::export]
pub fn image_byte_limit() -> u32 {
    u32::try_from(core::MAX_IMAGE_BYTES).unwrap_or(u32::MAX)
}
