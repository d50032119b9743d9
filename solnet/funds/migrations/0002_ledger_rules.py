"""The ledger's rules, held by the database itself so that nothing — not the ORM, not a
hand-written query — writes an unbalanced entry or changes a posted one.

Legs are written first and their entry last. The entry's insert is refused unless its legs
are two or more and sum to zero within each fund; no leg may be added to an entry that
exists; no entry or leg is ever updated; deleting one is refused (on SQLite, through
`solnet_ledger_guard()`: see `solnet.funds.guard`). PostgreSQL also checks every entry's
legs again at commit (a deferred constraint trigger).

Until PostgreSQL has gathered statistics on the ledger (autovacuum's ANALYZE), its planner
may scan the whole table for each check, and a bulk load then slows down as the table grows
(20,000 legs took minutes). The checks look legs up by their entry, always through the
index: the functions say so (`enable_seqscan = off`).
"""

from django.db import migrations

UNBALANCED = "ledger: an entry is two or more legs that sum to zero in each fund"
LATE_LEG = "ledger: a posted entry takes no more legs"
FROZEN = "ledger: posted entries and legs are never edited or deleted"

SQLITE = [
    f"""
    CREATE TRIGGER funds_entry_balanced AFTER INSERT ON funds_entry
    WHEN (SELECT COUNT(*) FROM funds_leg WHERE entry_id = NEW.id) < 2
      OR EXISTS (SELECT 1 FROM funds_leg WHERE entry_id = NEW.id
                 GROUP BY fund_id HAVING SUM(amount) <> 0)
    BEGIN SELECT RAISE(ABORT, '{UNBALANCED}'); END
    """,
    f"""
    CREATE TRIGGER funds_leg_not_late BEFORE INSERT ON funds_leg
    WHEN EXISTS (SELECT 1 FROM funds_entry WHERE id = NEW.entry_id)
    BEGIN SELECT RAISE(ABORT, '{LATE_LEG}'); END
    """,
    f"""
    CREATE TRIGGER funds_leg_frozen BEFORE UPDATE ON funds_leg
    BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END
    """,
    f"""
    CREATE TRIGGER funds_entry_frozen BEFORE UPDATE ON funds_entry
    BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END
    """,
    f"""
    CREATE TRIGGER funds_leg_kept BEFORE DELETE ON funds_leg
    WHEN solnet_ledger_guard()
    BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END
    """,
    f"""
    CREATE TRIGGER funds_entry_kept BEFORE DELETE ON funds_entry
    WHEN solnet_ledger_guard()
    BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END
    """,
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "funds_entry_balanced",
        "funds_leg_not_late",
        "funds_leg_frozen",
        "funds_entry_frozen",
        "funds_leg_kept",
        "funds_entry_kept",
    )
]

POSTGRES = [
    f"""
    CREATE FUNCTION funds_entry_balanced() RETURNS trigger LANGUAGE plpgsql
    SET enable_seqscan = off AS $$
    DECLARE entry bigint; legs integer; unbalanced boolean;
    BEGIN
      IF TG_TABLE_NAME = 'funds_entry' THEN entry := NEW.id; ELSE entry := NEW.entry_id; END IF;
      -- The entry's legs first (by its index), then their sums by fund: grouped over the
      -- whole table, the planner may walk the fund index past every other leg.
      WITH these AS MATERIALIZED (SELECT fund_id, amount FROM funds_leg WHERE entry_id = entry)
      SELECT (SELECT COUNT(*) FROM these),
             EXISTS (SELECT 1 FROM these GROUP BY fund_id HAVING SUM(amount) <> 0)
      INTO legs, unbalanced;
      IF legs < 2 OR unbalanced OR NOT EXISTS (SELECT 1 FROM funds_entry WHERE id = entry) THEN
        RAISE EXCEPTION '{UNBALANCED}' USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      RETURN NULL;
    END $$
    """,
    f"""
    CREATE FUNCTION funds_leg_not_late() RETURNS trigger LANGUAGE plpgsql
    SET enable_seqscan = off AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM funds_entry WHERE id = NEW.entry_id) THEN
        RAISE EXCEPTION '{LATE_LEG}' USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      RETURN NEW;
    END $$
    """,
    f"""
    CREATE FUNCTION funds_frozen() RETURNS trigger LANGUAGE plpgsql
    SET enable_seqscan = off AS $$
    BEGIN
      RAISE EXCEPTION '{FROZEN}' USING ERRCODE = 'integrity_constraint_violation';
    END $$
    """,
    """
    CREATE TRIGGER funds_entry_balanced AFTER INSERT ON funds_entry
    FOR EACH ROW EXECUTE FUNCTION funds_entry_balanced()
    """,
    # At commit, every leg written in the transaction belongs to a balanced entry.
    """
    CREATE CONSTRAINT TRIGGER funds_leg_balanced_at_commit AFTER INSERT ON funds_leg
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION funds_entry_balanced()
    """,
    """
    CREATE TRIGGER funds_leg_not_late BEFORE INSERT ON funds_leg
    FOR EACH ROW EXECUTE FUNCTION funds_leg_not_late()
    """,
    """
    CREATE TRIGGER funds_leg_frozen BEFORE UPDATE OR DELETE ON funds_leg
    FOR EACH ROW EXECUTE FUNCTION funds_frozen()
    """,
    """
    CREATE TRIGGER funds_entry_frozen BEFORE UPDATE OR DELETE ON funds_entry
    FOR EACH ROW EXECUTE FUNCTION funds_frozen()
    """,
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS funds_entry_frozen ON funds_entry",
    "DROP TRIGGER IF EXISTS funds_leg_frozen ON funds_leg",
    "DROP TRIGGER IF EXISTS funds_leg_not_late ON funds_leg",
    "DROP TRIGGER IF EXISTS funds_leg_balanced_at_commit ON funds_leg",
    "DROP TRIGGER IF EXISTS funds_entry_balanced ON funds_entry",
    "DROP FUNCTION IF EXISTS funds_frozen()",
    "DROP FUNCTION IF EXISTS funds_leg_not_late()",
    "DROP FUNCTION IF EXISTS funds_entry_balanced()",
]


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in POSTGRES_REVERSE if vendor == "postgresql" else SQLITE_REVERSE:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("funds", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
