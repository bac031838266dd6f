"""Official pages once authorized: the notices every page must display, filled in for it
(`notices`), going live and being retired (`lifecycle`), changing hands (`stewardship`), page
addresses checked and compared (`addresses`), and the messages to owners (`messages`)."""
