"""Pages written the way hostile (or merely careless) news pages are, served by the fixture site
under /hostile-pages/... Each is small, and each is the smallest thing that broke a promise."""

from __future__ import annotations

# A "next story" page: it rewrites its own address after load (replaceState) and again as the
# reader scrolls (pushState), as infinite-scroll news pages do. The document loaded is the capture.
HISTORY_REWRITE = """<!doctype html><html><head><title>Council approves the harbour plan</title>
<meta property="og:title" content="Council approves the harbour plan"></head><body>
<article><h1>Council approves the harbour plan</h1><p class="byline">By Jane Doe</p>
<p>The council voted on Tuesday to approve the harbour plan after a long debate.</p>
<div style="height: 2500px"></div><p>The plan now goes to the regional board.</p></article>
<script>
setTimeout(() => history.replaceState({}, "", "/stories/council-approves-harbour-plan"), 100);
addEventListener("scroll", () => {
  if (scrollY > 500 && !location.pathname.endsWith("/next-story")) history.pushState({}, "", "/stories/next-story");
});
</script></body></html>"""

# A page that floods pushState and keeps its renderer busy: the kind of page that will not close.
PUSHSTATE_FLOOD = """<!doctype html><html><body><h1>A page that never lets go</h1>
<script>setTimeout(() => { let n = 0; while (true) { history.pushState({}, "", "/flood/" + (n++ % 1000)); } }, 300);
</script></body></html>"""

# A story whose title and headline carry terminal escape sequences (set the window title, clear
# the screen): they are the page's text, and must reach the operator's terminal as text.
ESCAPES = """<!doctype html><html><head><title>\x1b]0;owned\x07Escaped title</title></head><body>
<article><h1>Breaking\x1b[2J\x1b[H news</h1><p class="byline">By Jane Doe</p>
<p>The story itself is ordinary: the council met on Tuesday and the vote was delayed again.</p></article>
</body></html>"""

# A page that opens a WebRTC connection to a STUN server: WebRTC sends UDP, which no SOCKS proxy
# carries, so it would go around the network guard. `{udp}` is the test's UDP port on 127.0.0.1.
WEBRTC = """<!doctype html><html><body><h1>A page that talks WebRTC</h1><script>
const pc = new RTCPeerConnection({iceServers: [{urls: "stun:127.0.0.1:{udp}"}]});
pc.createDataChannel("x");
pc.createOffer().then(offer => pc.setLocalDescription(offer));
</script></body></html>"""

# A page that loads a gzip bomb (300 MB of zeros in 300 KB) in every way a page loads things.
BOMBS = """<!doctype html><html><body><h1>Bombs</h1>
<img src="/bomb.txt?as=img"><script src="/bomb.txt?as=script"></script>
<iframe src="/bomb.txt?as=iframe"></iframe><link rel="stylesheet" href="/bomb.txt?as=css">
<script>fetch("/bomb.txt?as=fetch"); const x = new XMLHttpRequest(); x.open("GET", "/bomb.txt?as=xhr"); x.send();</script>
</body></html>"""


def one_bomb(kind: str) -> str:
    """A page that loads one gzip bomb, as an image, a script, a stylesheet, an iframe or by fetch."""
    element = {
        "img": '<img src="/bomb.txt?as=img">',
        "script": '<script src="/bomb.txt?as=script"></script>',
        "css": '<link rel="stylesheet" href="/bomb.txt?as=css">',
        "iframe": '<iframe src="/bomb.txt?as=iframe"></iframe>',
        "fetch": '<script>fetch("/bomb.txt?as=fetch").then(r => r.arrayBuffer());</script>',
    }[kind]
    return f"<!doctype html><html><body><h1>One bomb ({kind})</h1>{element}</body></html>"


# A story whose script never yields while the page is still being parsed: its renderer stops
# answering before the document has finished, so the browser never hands its body over.
BLOCKS_WHILE_PARSING = """<!doctype html><html><head><title>Blocked story</title></head><body>
<h1>A story whose script never yields</h1><p>This paragraph arrived before the script.</p>
<script>while (true) {}</script><p>This one never renders.</p></body></html>"""

# A story that runs its renderer out of memory shortly after load: the renderer crashes.
CRASHES = """<!doctype html><html><head><title>Crashing story</title></head><body>
<h1>A story that crashes its renderer</h1><p>What the reader saw before it crashed.</p>
<script>const hoard = []; setTimeout(() => { while (true) hoard.push(new Array(1 << 20).fill(1.5)); }, 1500);</script>
</body></html>"""

PAGES = {
    "/hostile-pages/history-rewrite": HISTORY_REWRITE,
    "/hostile-pages/pushstate-flood": PUSHSTATE_FLOOD,
    "/hostile-pages/escapes": ESCAPES,
    "/hostile-pages/bombs": BOMBS,
    "/hostile-pages/blocks-while-parsing": BLOCKS_WHILE_PARSING,
    "/hostile-pages/crashes": CRASHES,
}
