"""Backups the network can restore.

* `keyring`: the backup key, a key pair that is not the master key. Backups are encrypted to
  its public half, which the server holds (`SOLNET_BACKUP_KEY`); only the private half, kept
  off the server, restores them. A seized server, or the place the backups are copied to,
  cannot read them.
* `container`: the encrypted file. A random key for each backup (X25519 with the backup key,
  then HKDF), the contents in AES-GCM chunks of 1 MiB bound to the file's header, their
  position and whether they are the last, so a chunk altered, moved or cut off is refused.
  Inside, a stream of named entries: the manifest, the sealed files, the database.
* `databases`: a consistent copy while SolNet runs (SQLite's online backup API, `pg_dump`),
  and the restore into an empty database (a new SQLite file put in place at once; `pg_restore`
  in a single transaction).
* `making` (`make_backup`, `prune_backups`) and `restoring` (`restore_backup`), which the
  `backup` and `restore` commands and the worker's daily backup (`network/tasks.py`) call.
"""
