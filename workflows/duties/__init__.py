"""What keeps happening after a page is live: regular monitoring and viewpoint-neutral
removals (`monitoring`), the reminders and escalations the bot carries forward by itself
(`reminders`, with the monitoring deadline in `schedule`), the staff guidelines
(`guidelines`), and the messages about them (`messages`)."""
