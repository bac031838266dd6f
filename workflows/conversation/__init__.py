"""What people type and click, the same in Slack, Teams and the playground: the forms
(`forms`), the names of buttons and form actions (`actions`), turning a click or a submitted
form into a command (`submissions`), the typed commands (`slash_commands`), checks on typed
text (`validation`), and how times and names read (`wording`)."""
