"""Getting messages to people: what a chat platform must offer (`messenger`), the dispatcher
that delivers the outbox under each platform's limits and updates messages in place
(`dispatcher`, `pacing`), and telling someone when a message cannot reach its person
(`undeliverable`)."""
