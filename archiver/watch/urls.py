"""One article, one URL: what a source lists is compared without its fragment, its tracking
parameters (utm_*, fbclid, gclid...) or the case of its host; the captured page's own
`link rel=canonical` then joins the aliases left (see `watcher`)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from archiver.identity import canonical_url

TRACKING = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|gclsrc|dclid|msclkid|yclid|mc_cid|mc_eid|igshid|_ga|_gl|_hsenc|_hsmi|"
    r"mkt_tok|oly_anon_id|oly_enc_id|vero_id|wt_mc|cmpid|ocid|ns_campaign|ns_mchannel|ns_source|ns_linkname|"
    r"ns_fee|sr_share|smid|s_cid|at_medium|at_campaign|at_custom\d)$",
    re.I,
)


def article_url(url: str) -> str:
    """The URL an article is known by: canonical (scheme and host case, default port, no fragment),
    without tracking parameters, the others kept in their order."""
    parts = urlsplit(canonical_url(url))
    kept = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING.match(key)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept, doseq=True), ""))


def same_site(a: str, b: str) -> bool:
    """Whether two URLs are of one site: the same host, or one a subdomain of the other's."""
    host_a, host_b = (urlsplit(a).hostname or "").lower(), (urlsplit(b).hostname or "").lower()
    host_a, host_b = host_a.removeprefix("www."), host_b.removeprefix("www.")
    return host_a == host_b or host_a.endswith("." + host_b) or host_b.endswith("." + host_a)
