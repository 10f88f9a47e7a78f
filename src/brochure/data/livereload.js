// Live reload, added by `brochure serve` to the pages it serves (never to the files in out/).
// The server sends the names of the pages that changed; this page reloads when it is one.
(() => {
  const page = decodeURIComponent(location.pathname.replace(/^\/+/, "")) || "index.html";
  const events = new EventSource("/_brochure/events");
  events.onmessage = (event) => {
    const pages = JSON.parse(event.data);
    if (pages.includes(page) || pages.includes("*")) location.reload();
  };
})();
