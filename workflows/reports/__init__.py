"""What the district and its staff look at: the registry of official pages (`registry`),
whether an address is official (`official`), the compliance report (`compliance`), each
person's overview (`overview`) and the exports for records requests (`exports`)."""
