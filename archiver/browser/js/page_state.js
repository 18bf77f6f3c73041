// Where the reader is on the page and how tall the page is now.
() => {
  const doc = document.documentElement;
  const body = document.body;
  return {
    y: window.scrollY,
    viewport: window.innerHeight,
    height: Math.max(doc ? doc.scrollHeight : 0, body ? body.scrollHeight : 0),
    width: Math.max(doc ? doc.scrollWidth : 0, body ? body.scrollWidth : 0),
    href: location.href,
  };
}
