"""Importing people from a CSV file: upload, columns, check, preview, import.

1. `store_upload` reads the uploaded file once, row by row, and keeps it encrypted in
   `PersonImportChunk` rows of a few hundred rows each. Nothing of it reaches the disk in
   clear, and it is deleted when the import ends (or by the retention purge after a week).
2. The organizer maps the columns onto a person's fields (`save_mapping`). Presets match the
   exports of common tools without editing the file (`PRESETS`); `detect_preset` picks one from
   the header row.
3. The worker checks every row (`check_import`): problems by row number, and duplicates of
   people already recorded or of earlier rows of the file, found through the blind indexes.
   It keeps what it made of each chunk's rows beside them, encrypted, with digests of what it
   read them from. The organizer fixes rows in the page (`fix_row`) and says what to do with
   each duplicate (`start_import`).
4. The worker imports (`run_import`) in ONE transaction, so a killed import leaves nobody
   behind. Rows are read back chunk by chunk, as the check kept them while the chunk, the
   columns and the fixes are still the ones it read (checked again where they are not), and
   written in batches with `executemany`, each value encrypted on its way: memory stays flat
   whatever the size of the file.
   Progress goes through the cache, outside that transaction, with the worker's process id, so
   the pages can tell a running import from one whose worker died (`is_interrupted`).

The audit log gets counts only, never a name or an address.
"""
