"""What Pagekeeper knows of the common platforms' addresses, for a district file that does
not say: where their pages live, what an @handle means, which paths are posts rather than
pages, what their share links add, and where a page's short description goes and how many
characters it holds (as the platforms' help pages gave them in 2026). These are facts of the
platforms, not rules of any district; a district's file may say otherwise for any platform."""

from __future__ import annotations

from workflows.district.config import Platform

KNOWN_PLATFORMS = {
    platform.id: platform
    for platform in (
        Platform(
            "facebook",
            "",
            "",
            hosts=("www.facebook.com", "fb.com"),
            share_parameters=("mibextid", "sfnsn", "rdid", "share_url"),
            not_pages=("share", "sharer", "sharer.php", "login", "watch", "photo", "story.php"),
            short_place="Facebook Page intro",
            short_room=101,
        ),
        Platform(
            "instagram",
            "",
            "",
            hosts=("www.instagram.com",),
            handle_url="https://www.instagram.com/{handle}",
            share_parameters=("igsh", "igshid", "utm_source"),
            not_pages=("p", "reel", "reels", "stories", "explore", "accounts", "direct"),
            short_place="Instagram bio",
            short_room=150,
        ),
        Platform(
            "x",
            "",
            "",
            hosts=("x.com", "twitter.com"),
            handle_url="https://x.com/{handle}",
            share_parameters=("s", "t"),
            not_pages=("i", "home", "search", "intent", "share", "hashtag", "explore"),
            short_place="X post (pin it to the profile)",
            short_room=280,
            link_length=23,
        ),
        Platform(
            "youtube",
            "",
            "",
            hosts=("www.youtube.com",),
            handle_url="https://www.youtube.com/@{handle}",
            share_parameters=("si", "feature"),
            not_pages=("watch", "shorts", "results", "playlist", "embed", "live"),
            short_place="YouTube channel description",
            short_room=1000,
        ),
        Platform(
            "linkedin",
            "",
            "",
            hosts=("www.linkedin.com",),
            share_parameters=("trk", "lipi"),
            not_pages=("feed", "posts", "pulse", "login", "search"),
            short_place="LinkedIn page tagline",
            short_room=120,
            long_place="LinkedIn page overview",
            long_room=2000,
        ),
        Platform(
            "tiktok",
            "",
            "",
            hosts=("www.tiktok.com",),
            handle_url="https://www.tiktok.com/@{handle}",
            share_parameters=("_t", "_r", "is_from_webapp", "sender_device"),
            not_pages=("video", "tag", "search", "discover"),
            short_place="TikTok bio",
            short_room=80,
        ),
    )
}
