"""Bulk sending: one message (a call-out, a reminder, an alert) to many people, each by the
first channel they can be reached on and in their own language, by a worker that can be
killed at any moment without anyone getting the message twice, and without a message that
may not have gone out ever being shown as sent.

`sends.create_send()` writes the send and one `Delivery` per person (the database allows only one
per person per send) and starts the worker at commit. The worker (`worker.work()`, run by the
task `queue.run_send`) takes batches of due deliveries with a conditional UPDATE (QUEUED →
SENDING with a lease, and a random claim token in `provider_ref` while it holds them), so two
workers never take the same row, and sends them. Cancelling takes QUEUED and SENDING rows
alike: a worker holding one finds it gone at the HANDED_OVER commit and drops the unfinished
message.

A delivery's states, and who moves it:

    QUEUED ──claim──▶ SENDING ──hand-over commit──▶ HANDED_OVER ──answer committed──▶ SENT
      ▲                  │  (lease, claim token)      (fresh lease,                    │
      │                  │                            handed_over_at,     delivery report
      └──lease ran out───┘                            Message-ID)                      ▼
      ▲                                                  │  │  │                  DELIVERED
      └─────────── 4xx / busy gateway (back-off) ────────┘  │  └─ 5xx / refused ─▶ FAILED
                                                            │
              lease ran out (the worker died), the connection dropped before the
              answer, the gateway's answer never came ─▶ UNCERTAIN
                                                            │
              the organizer: "send again" ─▶ QUEUED         └─ "call them" ─▶ TO_CALL

Email. One SMTP connection per run; for each message MAIL FROM, RCPT TO, DATA and the whole
(dot-stuffed) message go out *except* its final line, ".\r\n". Then the delivery is
committed as HANDED_OVER (one transaction, under a fresh lease, with the moment); then the
last line is written and the reply read: 250 → SENT, committed in the transaction of the next
message's hand-over (or at the batch's end: still one commit per message); 4xx → QUEUED again
with back-off (FAILED after MAX_ATTEMPTS); 5xx → FAILED. An SMTP server accepts a message only
on its final line and throws away one whose connection drops before it, so after a kill:

- a SENDING row's message was discarded by the server: the row goes back to QUEUED once its
  lease runs out (`protocol.recover_stale`, by the next worker or the periodic task
  `queue.resume_sends`) and is sent again, once;
- a HANDED_OVER row's message may or may not have been accepted (the kill fell between the
  commit and the final line, or between the server's 250 and the commit of SENT): once its
  lease runs out it becomes UNCERTAIN — never sent again on its own (it could reach the
  person twice), never counted as sent (it could be lost). The send's page counts and lists
  them, and the organizer sends them again or marks them for a call;
- a SENT row's message was accepted: SENT is written only after the 250.

A worker killed mid-batch leaves at most two rows UNCERTAIN: the message being handed over,
and the one before it whose 250 had come but whose SENT was not yet committed. A connection
that fails after the hand-over leaves its row UNCERTAIN too. A worker still alive whose lease
ran out while it waited for an answer settles its row when the answer comes (SENT, back-off
or FAILED), as long as the row still carries its Message-ID (an organizer's resend clears it).
The commits are durable against the process dying; on SQLite with `synchronous=NORMAL` a
power cut can lose the last commits (a message among them could then be sent again).

Speed: the SMTP server's replies are most of what a message takes, so each message is
rendered and encoded a step at a time while the server answers the commands of the one
before it (one command at a time: no pipelining), and the bookkeeping that can wait (the
previous message's SENT) rides in the transaction of the next hand-over. What stays between
two messages is that one commit.

Texts go through `sms.send_text()`: HANDED_OVER is committed just before the
gateway is called (only if the number has not said STOP, checked in that same statement, so
a STOP arriving mid-send stops every text not yet handed over), SENT with the gateway's id
after. A failure that may or may not have reached the gateway (no answer in time, an answer
without a message id, anything unexpected) leaves the text UNCERTAIN; one the gateway
answered (busy: back-off; refused: FAILED) is settled by its answer.

Never does a database transaction stay open while the network is used. Without an SMTP
server configured (EMAIL_BACKEND is not Django's SMTP backend: the console in development,
the outbox in tests) email goes to Django's backend instead, handed over just before, like a
text. Addresses are decrypted only by the worker, a batch at a time, and never written to
the queue, to logs or to `Delivery.error` (servers echo them in refusals: they are cut out).

The package, its modules each importing only those listed before it:

- `protocol`: the claim, the lease, the hand-over, taking back a dead worker's rows, the
  constants of the protocol;
- `smtp`: one SMTP connection and the message's bytes;
- `sms`: the SMS gateway's transport in Twilio's wire format, and its signatures;
- `render`: what a person reads;
- `worker`: a run over one send, by email or text;
- `queue`: the worker as background tasks;
- `sends`: writing a send, and what organizers do with it (cancel, retry the failed, send
  the uncertain again or call them).

What comes back through the gateway is `mobilize.inbound`'s; alerts, call-outs and reminders
call `sends.create_send()`, and nothing here calls them.
"""
