"""Webhooks for an ATS: signed POSTs on session ended and scorecard submitted (docs/WEBHOOKS.md).

`model.py` (endpoints, deliveries, the retry policy: pure), `signing.py` (HMAC-SHA256 over
`"{t}.{body}"`: pure), `address.py` (the SSRF guard), `payload.py` (what is sent: pure),
`store.py` and `sqlite_queue.py` / `postgres_queue.py` (the durable delivery queue),
`sender.py` (leases due deliveries and posts them), `service.py` (`Webhooks`: endpoints,
events, deliveries), `settings.py` (the `PAIRBOARD_WEBHOOK_*` knobs).
"""
