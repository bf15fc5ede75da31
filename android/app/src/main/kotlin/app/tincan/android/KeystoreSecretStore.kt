package app.tincan.android

import android.content.Context
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import android.util.AtomicFile
import app.tincan.ffi.SecretStore
import app.tincan.ffi.SecretStoreException
import java.io.File
import java.io.FileNotFoundException
import java.security.KeyStore
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * The core's secrets (pending invites' keys, link certificates, the identity) sealed by
 * the Android Keystore: one AES-256-GCM key that never leaves the Keystore (hardware
 * backed where the phone has it) seals each secret; the sealed bytes live in one file
 * per secret under noBackupFilesDir (app-private, never in a cloud backup, where
 * they could not be opened anyway: the Keystore key does not travel with a backup).
 *
 * File: a format byte, the 12-byte IV, then ciphertext and tag. The secret's name is
 * the additional data, so a file renamed to another secret's name does not open.
 * Called from the core's threads, never the UI thread.
 */
class KeystoreSecretStore(context: Context) : SecretStore {
    private val dir = File(context.noBackupFilesDir, "secrets").apply { mkdirs() }

    override fun get(key: String): ByteArray? = guard("read") {
        val sealed = try {
            AtomicFile(file(key)).readFully()
        } catch (e: FileNotFoundException) {
            return@guard null
        }
        check(sealed.size > 1 + IV_BYTES && sealed[0] == FORMAT) { "unknown format" }
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.DECRYPT_MODE, sealingKey(), GCMParameterSpec(TAG_BITS, sealed, 1, IV_BYTES))
        cipher.updateAAD(key.toByteArray())
        cipher.doFinal(sealed, 1 + IV_BYTES, sealed.size - 1 - IV_BYTES)
    }

    override fun put(key: String, value: ByteArray) = guard("write") {
        val cipher = Cipher.getInstance(TRANSFORMATION)
        // The Keystore picks the IV (it refuses one given for encryption).
        cipher.init(Cipher.ENCRYPT_MODE, sealingKey())
        cipher.updateAAD(key.toByteArray())
        val sealed = byteArrayOf(FORMAT) + cipher.iv + cipher.doFinal(value)
        val file = AtomicFile(file(key))
        val out = file.startWrite()
        try {
            out.write(sealed)
            file.finishWrite(out) // flushed to disk, then renamed over the old one
        } catch (e: Exception) {
            file.failWrite(out)
            throw e
        }
    }

    override fun delete(key: String) = guard("delete") {
        AtomicFile(file(key)).delete()
    }

    // Names are short ASCII, but a file name must not be able to climb out of `dir`.
    private fun file(key: String) = File(dir, key.toByteArray().joinToString("") { "%02x".format(it) })

    private fun sealingKey(): SecretKey = synchronized(KeystoreSecretStore::class.java) {
        val keyStore = KeyStore.getInstance(KEYSTORE).apply { load(null) }
        (keyStore.getKey(ALIAS, null) as SecretKey?) ?: KeyGenerator
            .getInstance(KeyProperties.KEY_ALGORITHM_AES, KEYSTORE)
            .apply {
                init(
                    KeyGenParameterSpec.Builder(ALIAS, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
                        .setKeySize(256)
                        .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                        .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                        .build(),
                )
            }
            .generateKey()
    }

    // Every failure becomes SecretStoreException.Failed with what failed, never the secret.
    private inline fun <T> guard(what: String, block: () -> T): T = try {
        block()
    } catch (e: SecretStoreException) {
        throw e
    } catch (e: Exception) {
        throw SecretStoreException.Failed("Android Keystore: cannot $what a secret (${e.javaClass.simpleName})")
    }

    private companion object {
        const val KEYSTORE = "AndroidKeyStore"
        const val ALIAS = "tincan-secrets-v1"
        const val TRANSFORMATION = "AES/GCM/NoPadding"
        const val FORMAT: Byte = 1
        const val IV_BYTES = 12
        const val TAG_BITS = 128
    }
}
