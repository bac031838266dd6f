"""The core of Pagekeeper: the district's regulation on official social media, carried out.

Pure Python: no chat platform, database or web framework is imported here (a test checks).
One package per area, each opening with what lives there:

- `kernel`: the records, commands, events, ports and cards every area shares.
- `district`: the district's file (people, schools, routes, notices, working time).
- `requests`: asking for a page and getting it authorized (AR 1114: Authorization).
- `pages`: official pages, their required notices and addresses, going live, changing hands.
- `duties`: what keeps happening: monitoring checks, reminders, the staff guidelines.
- `reports`: what the district looks at: the registry, is-official, compliance, overviews,
  exports for records requests.
- `delivery`: getting messages to people: the outbox dispatcher, pacing, undeliverable reports.
- `conversation`: what people type and click, the same on every platform: forms, actions,
  typed commands, the wording of times and names.

`engine` ties them together: one command in, its records, audit lines and messages stored in
one commit, an outcome out. See docs/architecture.md.
"""
