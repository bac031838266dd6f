"""What every area shares: the records (`model`), the orders people give (`commands`), what
happened (`events`, each an audit line), the ports to the outside world (`ports`), what a
handler works with and returns (`handling`), the typed handler registry (`registry`), neutral
cards (`cards`), outgoing messages and the outbox (`messages`), the regulation's clauses
(`policy`) and readable ids (`ids`). Nothing here knows a particular area's rules."""
