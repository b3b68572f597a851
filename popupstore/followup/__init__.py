"""Mail after the network day: the receipt link by e-mail, one follow-up with a short
evaluation, and the organiser's report of what came of the day.

* `models`: the outbox of mails (each row points at its checkout; the address stays in the
  checkout row), the per-event follow-up settings, and the evaluation answers.
* `outbox`: queueing mails at checkout, and sending what is due (`popupstore send-mail`),
  each exactly once, also when runs overlap or one dies halfway.
* `evaluation`: the visitor's evaluation and `missed_texts`; `outcome`: the report.
* `views`: the visitor's evaluation and unsubscribe, and the organiser's pages (mail after
  the day, the outcome report) under /organisator.
"""
