"""Background work of mobilizing, gathered here because the worker discovers an app's tasks
through this module: the bulk sending worker and its periodic look for sends a dead worker
left (`sending.queue`), and the reminders' periodic task (`reminders`).

Task arguments are only primary keys: nothing personal sits in the queue's storage.
"""

from __future__ import annotations

from solnet.mobilize.reminders import remind_coming_actions
from solnet.mobilize.sending.queue import resume_sends, run_send

__all__ = ["remind_coming_actions", "resume_sends", "run_send"]
