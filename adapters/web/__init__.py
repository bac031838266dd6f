"""The district's web pages: the public directory of official pages (no sign-in) and the
staff dashboard (signed in through a one-time link sent in chat). Served when
PAGEKEEPER_PUBLIC_URL is set, and always in local mode; plain HTML that works without
JavaScript."""
