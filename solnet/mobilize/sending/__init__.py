"""Bulk sending: one message (a call-out, a reminder, an alert) to many people, each by the
first channel they can be reached on and in their own language, by a worker that can be
killed at any moment without anyone getting the message twice.

`sends.create_send()` writes the send and one `Delivery` per person (the database allows only one
per person per send) and starts the worker at commit. The worker (`worker.work()`, run by the
task `queue.run_send`) takes batches of due deliveries with a conditional UPDATE (QUEUED →
SENDING with a lease, and a random claim token in `provider_ref` while it holds them), so two
workers never take the same row, and sends them. A lease that ran out means the worker died:
its SENDING rows go back to QUEUED (`protocol.recover_stale`), by the next worker or by the
periodic task `queue.resume_sends`. Cancelling takes QUEUED and SENDING rows alike: a worker holding
one finds it gone at the HANDED_OVER commit and drops the unfinished message.

Email, exactly once. One SMTP connection per run; for each message MAIL FROM, RCPT TO, DATA
and the whole (dot-stuffed) message go out *except* its final line, ".\\r\\n". Then the
delivery is committed as HANDED_OVER (one statement, committed at once); then the last line
is written and the reply read: 250 → SENT; 4xx → QUEUED again with back-off (FAILED after
MAX_ATTEMPTS); 5xx → FAILED. An SMTP server accepts a message only on its final line and
throws away one whose connection drops before it, so:

- a worker killed before the HANDED_OVER commit leaves a SENDING row whose message the
  server discarded: it is sent again, once;
- a HANDED_OVER row is final and counts as sent; nothing ever sends it again.

What remains, honestly: a worker killed *between* the HANDED_OVER commit and the one write
of the final line (a few microseconds per message; at most one message per killed worker)
leaves a row counted as sent whose message was never accepted: that person misses the
message rather than getting it twice. Likewise a kill after the final line but before a 4xx
or 5xx reply is noted leaves that refusal counted as sent. A connection that fails after the
commit leaves the row HANDED_OVER too (it may have arrived). The commit is durable against
the process dying; on SQLite with `synchronous=NORMAL` a power cut can lose the last
commits, and with them, in principle, the memory that a message went.

Speed: the SMTP server's replies are most of what a message takes, so each message is
rendered and encoded a step at a time while the server answers the commands of the one
before it (one command at a time: no pipelining), and the bookkeeping that can wait (SENT)
is written once per batch. What stays between two messages is the HANDED_OVER commit.

Texts go through `sms.send_text()`: HANDED_OVER is committed just before the
gateway is called (only if the number has not said STOP, checked in that same statement, so
a STOP arriving mid-send stops every text not yet handed over), SENT with the gateway's id
after. A failure that may or may not have reached the gateway is never retried on its own.

Never does a database transaction stay open while the network is used. Without an SMTP
server configured (EMAIL_BACKEND is not Django's SMTP backend: the console in development,
the outbox in tests) email goes to Django's backend instead, handed over just before, like a
text. Addresses are decrypted only by the worker, a batch at a time, and never written to
the queue, to logs or to `Delivery.error` (servers echo them in refusals: they are cut out).

The package, its modules each importing only those listed before it:

- `protocol`: the claim, the lease, the hand-over, the constants of the protocol;
- `smtp`: one SMTP connection and the message's bytes;
- `sms`: the SMS gateway's transport in Twilio's wire format, and its signatures;
- `render`: what a person reads;
- `worker`: a run over one send, by email or text;
- `queue`: the worker as background tasks;
- `sends`: writing a send, and what organizers do with it.

What comes back through the gateway is `mobilize.inbound`'s; alerts, call-outs and reminders
call `sends.create_send()`, and nothing here calls them.
"""
